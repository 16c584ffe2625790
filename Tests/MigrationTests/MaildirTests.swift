import Testing

@testable import Migration

@Suite struct MaildirTests {
    @Test func keywordsAndFlagsOfTheFilesDovecotWrote() throws {
        let keywords = DovecotKeywords.parse(try MigrationFixtures.bytes("dovecot-maildir/INBOX.dovecot-keywords"))
        #expect(keywords.problems.isEmpty)
        #expect(keywords.value.byIndex == [0: "$Junk", 1: "Work", 2: "Privat"])
        var flagsByUIDOrder: [[String]] = []
        for file in try MigrationFixtures.lines("dovecot-maildir/files.txt") where file.hasPrefix("cur/") {
            let name = MaildirMessageName.parse(String(file.dropFirst(4)))
            #expect(name.problems.isEmpty)
            #expect(name.value.size == 142 && name.value.virtualSize == 149)
            let flags = name.value.flags(keywords: keywords.value)
            #expect(flags.problems.isEmpty)
            flagsByUIDOrder.append(flags.value)
        }
        // doveadm flags add: \Seen on 1:2, \Answered \Flagged on 2, $Junk Work on 3, Work Privat on 4.
        #expect(
            flagsByUIDOrder == [
                ["\\Seen"], ["\\Answered", "\\Flagged", "\\Seen"], ["$Junk", "Work"], ["Work", "Privat"],
            ])
        let lists = DovecotKeywords.parse(try MigrationFixtures.bytes("dovecot-maildir/Lists.posta.dovecot-keywords"))
        let name = MaildirMessageName.parse("1796528208.M958718P12764.vm,S=42,W=46:2,a").value
        #expect(name.flags(keywords: lists.value).value == ["$Forwarded"])
        let draft = MaildirMessageName.parse("1796528209.M42221P12770.vm,S=41,W=45:2,DT").value
        #expect(draft.systemFlags == ["\\Deleted", "\\Draft"])
    }

    @Test func fileNameEdgeCases() {
        let plain = MaildirMessageName.parse("1700000000.M1P2.host")
        #expect(plain.value.base == "1700000000.M1P2.host" && plain.value.systemFlags.isEmpty && plain.value.size == nil)
        let passed = MaildirMessageName.parse("1700000000.M1P2.host,S=10:2,PSz,extra")
        #expect(passed.value.passed && passed.value.systemFlags == ["\\Seen"] && passed.value.keywordLetters == ["z"])
        // A keyword letter dovecot-keywords does not define: ignored, as Dovecot does, and reported.
        let flags = passed.value.flags(keywords: DovecotKeywords())
        #expect(flags.value == ["\\Seen"] && flags.problems.count == 1)
        let experimental = MaildirMessageName.parse("base:1,something")
        #expect(experimental.value.systemFlags.isEmpty && experimental.problems.count == 1)
        let badSize = MaildirMessageName.parse("base,S=abc,W=-1:2,X")
        #expect(badSize.value.size == nil && badSize.problems.count == 3)
        #expect(MaildirMessageName.baseName(of: "a:b:2,S") == "a:b")
    }

    @Test func keywordFileProblems() {
        let text = "0 $Junk\n1 Work\n1 Again\n26 TooFar\nx Bad\n2 has space\n3 \\Seen\n4 work\n\n5\n"
        let parsed = DovecotKeywords.parse(Array(text.utf8))
        #expect(parsed.value.byIndex == [0: "$Junk", 1: "Work", 4: "work"])
        #expect(parsed.problems.map(\.line) == [3, 4, 5, 6, 7, 8, 10])
        #expect(parsed.value.keyword(forLetter: "b") == "Work" && parsed.value.keyword(forLetter: "B") == nil)
    }

    @Test func foldersOfTheTreeDovecotMade() throws {
        var names: [[String]] = []
        for directory in try MigrationFixtures.lines("dovecot-maildir/folders.txt") {
            let parsed = MaildirFolderName.parse(directory, decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
            #expect(parsed.problems.isEmpty)
            names.append(try #require(parsed.value).levels)
        }
        #expect(names == [["Entwürfe"], ["Lists", "posta"], ["Sent"]])
        let stored = MaildirFolderName.parse(".Entw&APw-rfe", decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
        #expect(stored.value?.storedLevels == ["Entw&APw-rfe"])
    }

    @Test(arguments: ["cur", ".", "..", ".a..b", ".trailing.", "..leading"])
    func notFolders(name: String) {
        let parsed = MaildirFolderName.parse(name, decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
        #expect(parsed.value == nil && parsed.problems.count == 1)
    }

    @Test func aFolderNameThatIsNotModifiedUTF7IsKeptAndReported() throws {
        let parsed = MaildirFolderName.parse(".Entwürfe.&bad", decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
        #expect(try #require(parsed.value).levels == ["Entwürfe", "&bad"])
        #expect(parsed.problems.count == 2)
    }

    @Test func subscriptionsDovecotWrote() throws {
        let parsed = DovecotSubscriptions.parse(try MigrationFixtures.bytes("dovecot-maildir/subscriptions"))
        #expect(parsed.problems.isEmpty)
        #expect(parsed.value.version == 2)
        // auto = subscribe for Sent is not written to the file: Dovecot's config makes it.
        #expect(parsed.value.mailboxes == [["Lists", "posta"], ["Entw&APw-rfe"]])
    }

    @Test func subscriptionsEscapesAndOldFormat() {
        let v2 = DovecotSubscriptions.parse(Array("V\t2\n\nINBOX\na\u{01}tb\tc\nbroken\u{01}x\nINBOX\n\ta\n".utf8))
        #expect(v2.value.mailboxes == [["INBOX"]])
        // "a\tb" unescapes to a level holding a TAB: refused like the broken escape, the repeat and the empty level.
        #expect(v2.problems.map(\.line) == [4, 5, 6, 7])
        let v1 = DovecotSubscriptions.parse(Array("inbox\nLists.posta\nSent\n\nSent\n".utf8))
        #expect(v1.value.version == 1)
        #expect(v1.value.mailboxes == [["INBOX"], ["Lists", "posta"], ["Sent"]])
        #expect(v1.problems.map(\.line) == [5])
        let slash = DovecotSubscriptions.parse(Array("Lists/posta\n".utf8), separator: "/")
        #expect(slash.value.mailboxes == [["Lists", "posta"]])
    }

    @Test func pop3UIDLFormatMatchesWhatDovecotShowed() throws {
        // The POP3 session in Fixtures/README.md listed these UIDLs for UIDVALIDITY 1796528201.
        for uid in UInt32(1)...4 {
            let uidl = DovecotPOP3UIDLFormat.expand(
                DovecotPOP3UIDLFormat.defaultFormat, uid: uid, uidValidity: 1_796_528_201, fileName: "x")
            #expect(try uidl.get() == "0000000\(uid)6b14d849")
        }
        #expect(
            try DovecotPOP3UIDLFormat.expand("%v-%u/%{uidvalidity}.%{uid}%%", uid: 7, uidValidity: 9, fileName: "f").get()
                == "9-7/9.7%")
        #expect(
            try DovecotPOP3UIDLFormat.expand("%f|%g|%3f|%Uf", uid: 1, uidValidity: 1, fileName: "abcdef").get()
                == "abcdef|abcdef|abc|ABCDEF")
        #expect(try DovecotPOP3UIDLFormat.expand("%g", uid: 1, uidValidity: 1, fileName: "f", guid: "G1").get() == "G1")
        #expect(throws: DovecotPOP3UIDLFormat.ExpandError.unsupportedVariable("%m")) {
            try DovecotPOP3UIDLFormat.expand("%08Xm", uid: 1, uidValidity: 1, fileName: "f").get()
        }
        #expect(throws: DovecotPOP3UIDLFormat.ExpandError.malformed("%{uid")) {
            try DovecotPOP3UIDLFormat.expand("%{uid", uid: 1, uidValidity: 1, fileName: "f").get()
        }
    }
}
