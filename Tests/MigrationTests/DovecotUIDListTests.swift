import Testing

@testable import Migration

@Suite struct DovecotUIDListTests {
    @Test func readsTheUIDListDovecotWrote() throws {
        let parsed = DovecotUIDList.parse(try MigrationFixtures.bytes("dovecot-maildir/INBOX.dovecot-uidlist"))
        #expect(parsed.problems.isEmpty)
        let list = try #require(parsed.value)
        #expect(list.version == 3)
        #expect(list.uidValidity == 1_796_528_201)
        #expect(list.nextUID == 5)
        #expect(list.mailboxGUID == "6336421d49d8146b3f31000083ecc375")
        #expect(list.records.map(\.uid) == [1, 2, 3, 4])
        #expect(list.records[0].fileName == "1796528201.M490478P12607.vm,S=142,W=149")
        // pop3_save_uidl=yes wrote the UIDLs a POP3 client saw: %08Xu%08Xv.
        #expect(list.records.map(\.pop3UIDL) == ["000000016b14d849", "000000026b14d849", "000000036b14d849", "000000046b14d849"])
        #expect(list.records[3].line == 5)
    }

    @Test func recordsMatchTheFileNamesOnDisk() throws {
        let list = try #require(DovecotUIDList.parse(try MigrationFixtures.bytes("dovecot-maildir/INBOX.dovecot-uidlist")).value)
        let files = try MigrationFixtures.lines("dovecot-maildir/files.txt").filter {
            $0.hasPrefix("cur/") || $0.hasPrefix("new/")
        }
        let bases = Set(files.map { MaildirMessageName.baseName(of: String($0.split(separator: "/").last!)) })
        #expect(Set(list.records.map(\.fileName)) == bases)
    }

    @Test func emptyMailboxAndSubfolders() throws {
        let sent = try #require(DovecotUIDList.parse(try MigrationFixtures.bytes("dovecot-maildir/Sent.dovecot-uidlist")).value)
        #expect(sent.records.isEmpty && sent.nextUID == 1 && sent.uidValidity == 1_796_528_204)
        let lists = try #require(
            DovecotUIDList.parse(try MigrationFixtures.bytes("dovecot-maildir/Lists.posta.dovecot-uidlist")).value)
        #expect(lists.records.map(\.uid) == [1, 2] && lists.nextUID == 3)
        #expect(lists.records.allSatisfy { $0.pop3UIDL == nil })
    }

    @Test func versionOneAsCourierWroteIt() throws {
        let text = "1 1123456789 4\n1 1123456000.1234_1.host:2,S\n3 1123456001.1235_1.host\n"
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        #expect(parsed.problems.isEmpty)
        let list = try #require(parsed.value)
        #expect(list.version == 1 && list.uidValidity == 1_123_456_789 && list.nextUID == 4)
        #expect(list.records.map(\.uid) == [1, 3])
        #expect(list.records[0].fileName == "1123456000.1234_1.host:2,S")
    }

    @Test func extensionFields() throws {
        let text = """
            3 V42 N10 G0123456789abcdef0123456789ABCDEF P%08Xu%08Xv X7
            1 W1234 S1200 P O2 GabcDEF :base1,S=1200
            2 Pcustom-uidl O1 Zfuture :base with space
            3 w1 Wx :base3

            """
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        let list = try #require(parsed.value)
        #expect(list.mailboxGUID == "0123456789abcdef0123456789abcdef")
        #expect(list.pop3UIDLFormat == "%08Xu%08Xv")
        #expect(list.otherHeaderFields == ["X7"])
        let first = list.records[0]
        #expect(first.virtualSize == 1234 && first.physicalSize == 1200 && first.pop3Order == 2 && first.guid == "abcDEF")
        // An empty P means "the base name" (maildir-mail.c).
        #expect(first.pop3UIDLField == "" && first.pop3UIDL == "base1,S=1200")
        #expect(list.records[1].pop3UIDL == "custom-uidl" && list.records[1].otherFields == ["Zfuture"])
        #expect(list.records[1].fileName == "base with space")
        #expect(list.records[2].virtualSize == nil)
        #expect(parsed.problems.map(\.line) == [4, 4])
    }

    @Test(arguments: [
        ("", "empty file"),
        ("2 1 2\n", "version 2"),
        ("3 V0 N5\n", "UIDVALIDITY is 0"),
        ("3 N5\n", "UIDVALIDITY is 0 or missing"),
        ("3 V7\n", "next UID is 0"),
        ("3 V99999999999 N5\n", "not a number"),
        ("1 5\n", "version 1 header"),
        ("x V1 N1\n", "no version"),
    ])
    func unusableHeadersAreRefused(text: String, reason: String) {
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        #expect(parsed.value == nil)
        #expect(parsed.problems.contains { $0.reason.contains(reason) }, "\(parsed.problems)")
    }

    @Test func impossibleRecordsAreSkippedOneByOne() throws {
        let text = """
            3 V7 N5 G0123456789abcdef0123456789abcdef
            0 :zero
            1 :one
            1 :one-again
            3 :three
            2 :two-after-three
            4294967295 :max
            99999999999 :overflow
            abc :letters
            5 no-colon
            6 :
            7 :a/b
            9 :nine

            """
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        let list = try #require(parsed.value)
        #expect(list.records.map(\.uid) == [1, 3, 9])
        // UID 9 ≥ N5: kept, next UID raised as Dovecot does.
        #expect(list.nextUID == 10)
        let lines = parsed.problems.map(\.line)
        #expect(lines == [2, 4, 6, 7, 8, 9, 10, 10, 11, 12, 13])
        #expect(parsed.problems.first { $0.line == 4 }!.reason.contains("duplicate UID 1"))
        #expect(parsed.problems.first { $0.line == 13 }!.reason.contains("next UID raised to 10"))
    }

    @Test func aFileListedTwiceKeepsTheLaterUID() throws {
        let text = "3 V7 N9\n1 :same\n2 :other\n5 :same\n"
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        let list = try #require(parsed.value)
        #expect(list.records.map(\.uid) == [2, 5])
        #expect(parsed.problems.count == 1 && parsed.problems[0].line == 4)
    }

    @Test func hugeLinesAndBinaryAreReportedNotKept() throws {
        var bytes = Array("3 V7 N9\n1 :a\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "7"), count: 200_000) + [UInt8(ascii: "\n")]
        bytes += [0xFF, 0xFE, 0x00, 0x0A] + Array("2 :b\n".utf8)
        let parsed = DovecotUIDList.parse(bytes)
        #expect(try #require(parsed.value).records.map(\.uid) == [1, 2])
        #expect(parsed.problems.map(\.line) == [3, 4])
    }

    @Test func problemListIsBounded() {
        let text = "3 V7 N9\n" + String(repeating: "x\n", count: 5000)
        let parsed = DovecotUIDList.parse(Array(text.utf8))
        #expect(parsed.problems.count == MigrationLimits.maxProblems + 1)
        #expect(parsed.problems.last!.reason == "4000 further problems not listed")
    }
}
