import IMAP
import Testing

@testable import Migration

/// Each writer's output read back by the parser of the same format.
@Suite struct ExportWriterTests {
    /// Records without their line numbers, which depend on the file's layout.
    private func records(_ list: DovecotUIDList) -> [DovecotUIDList.Record] {
        list.records.map {
            var record = $0
            record.line = 0
            return record
        }
    }

    @Test func uidListRoundTripsThroughTheParser() throws {
        let written = DovecotUIDList(
            uidValidity: 1_796_528_201, nextUID: 12, files: [(7, "1700000000.U7V1.posta,S=42"), (2, "b,S=5"), (9, "c")])
        let parsed = DovecotUIDList.parse(written.serialized())
        #expect(parsed.problems.isEmpty)
        let list = try #require(parsed.value)
        #expect(list.version == 3 && list.uidValidity == 1_796_528_201 && list.nextUID == 12)
        #expect(list.records.map(\.uid) == [2, 7, 9])
        #expect(list.records.map(\.fileName) == ["b,S=5", "1700000000.U7V1.posta,S=42", "c"])
        #expect(String(decoding: written.serialized(), as: UTF8.self).hasPrefix("3 V1796528201 N12\n2 :b,S=5\n"))
    }

    @Test func uidListThatDovecotWroteIsWrittenBackTheSame() throws {
        for name in ["INBOX", "Lists.posta", "Sent", "Entwuerfe"] {
            let original = try #require(
                DovecotUIDList.parse(try MigrationFixtures.bytes("dovecot-maildir/\(name).dovecot-uidlist")).value)
            let again = DovecotUIDList.parse(original.serialized())
            #expect(again.problems.isEmpty)
            let list = try #require(again.value)
            #expect(list.uidValidity == original.uidValidity && list.nextUID == original.nextUID)
            #expect(list.mailboxGUID == original.mailboxGUID && list.pop3UIDLFormat == original.pop3UIDLFormat)
            #expect(records(list) == records(original))
        }
    }

    @Test func keywordsGetLettersAndRoundTrip() throws {
        let many = (1...30).map { "k\($0)" }
        let (keywords, overflow) = DovecotKeywords.assigning(["$Forwarded", "Work", "work", "not valid"] + many)
        #expect(keywords.byIndex[0] == "$Forwarded" && keywords.byIndex[1] == "Work")
        #expect(keywords.byIndex.count == 26)
        #expect(overflow == (25...30).map { "k\($0)" })
        #expect(keywords.letter(forKeyword: "WORK") == "b")
        let parsed = DovecotKeywords.parse(keywords.serialized())
        #expect(parsed.problems.isEmpty)
        #expect(parsed.value == keywords)
        #expect(parsed.value.keyword(forLetter: "z") == "k24")
    }

    @Test func fileNameFlagsRoundTrip() throws {
        let (keywords, _) = DovecotKeywords.assigning(["$Forwarded", "Work"])
        let flags = ["\\Seen", "\\Answered", "Work", "\\Deleted", "\\Draft", "\\Flagged", "Unknown"]
        let name = MaildirMessageName.fileName(base: "1.U1V2.posta,S=3", flags: flags, keywords: keywords)
        #expect(name == "1.U1V2.posta,S=3:2,DFRSTb")
        let parsed = MaildirMessageName.parse(name)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.value.base == "1.U1V2.posta,S=3" && parsed.value.size == 3)
        #expect(Set(parsed.value.flags(keywords: keywords).value) == Set(flags.dropLast()))
        #expect(MaildirMessageName.fileName(base: "x", flags: [], keywords: keywords) == "x:2,")
        #expect(MaildirMessageName.parse("x:2,").value.systemFlags.isEmpty)
    }

    @Test func subscriptionsRoundTrip() throws {
        let written = DovecotSubscriptions(mailboxes: [["INBOX"], ["Sent"], ["Lists", "posta"], ["a b", "Entw&APw-rfe"]])
        let parsed = DovecotSubscriptions.parse(written.serialized())
        #expect(parsed.problems.isEmpty)
        #expect(parsed.value.version == 2)
        #expect(parsed.value.mailboxes == written.mailboxes)
        // Control characters are tab-escaped as Dovecot does (the parser then refuses them in a name).
        #expect(DovecotSubscriptions.tabEscape("a\tb\u{01}c\r\n") == "a\u{01}tb\u{01}1c\u{01}r\u{01}n")
        // Dovecot's own file reads back the same after a rewrite.
        let dovecot = DovecotSubscriptions.parse(try MigrationFixtures.bytes("dovecot-maildir/subscriptions")).value
        #expect(DovecotSubscriptions.parse(DovecotSubscriptions(mailboxes: dovecot.mailboxes).serialized()).value == dovecot)
    }

    @Test func mboxRoundTripsThroughTheReader() throws {
        let messages: [(text: String, flags: [String], date: Int64)] = [
            (
                "Subject: one\r\nStatus: RO\r\nX-UID: 9\r\n\r\nFrom here on\r\n>From quoted\r\n\r\nFrom me\r\n",
                ["\\Seen", "Work"], 1_700_000_000
            ),
            ("Subject: two\n\nbody\n", ["\\Answered", "\\Flagged", "\\Draft", "\\Deleted"], 0),
            ("Subject: three\n\n", [], 951_782_400),
        ]
        var file: [UInt8] = []
        for (index, message) in messages.enumerated() {
            file += MboxWriter.entry(
                message: Array(message.text.utf8), sender: "a@example.org", internalDate: message.date, flags: message.flags,
                uid: UInt32(index * 2 + 1), folder: index == 0 ? (77, 12, ["Work"]) : nil)
        }
        let parsed = MboxReader.parse(file, variant: .mboxrd)
        #expect(parsed.problems.isEmpty)
        let read = parsed.value.messages
        try #require(read.count == 3)
        #expect(String(decoding: read[0].bytes, as: UTF8.self) == "Subject: one\n\nFrom here on\n>From quoted\n\nFrom me\n")
        #expect(String(decoding: read[1].bytes, as: UTF8.self) == "Subject: two\n\nbody\n")
        #expect(String(decoding: read[2].bytes, as: UTF8.self) == "Subject: three\n\n")
        for (message, original) in zip(read, messages) {
            #expect(Set(message.flags) == Set(original.flags))
            #expect(message.internalDate == original.date)
            #expect(message.sender == "a@example.org")
        }
        #expect(read.map(\.uid) == [1, 3, 5])
        #expect(parsed.value.folderData?.uidValidity == 77 && parsed.value.folderData?.keywords == ["Work"])
        #expect(String(decoding: file, as: UTF8.self).contains("\nX-IMAPbase: 77 11 Work\nX-UID: 1\n\n"))
        // No line of the file starts with "From " except the separators.
        let text = String(decoding: file, as: UTF8.self)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("From ") }.count == 3)
    }

    @Test func asctimeDates() {
        #expect(MboxWriter.asctime(0) == "Thu Jan  1 00:00:00 1970")
        #expect(MboxWriter.asctime(1_700_000_000) == "Tue Nov 14 22:13:20 2023")
        #expect(MboxWriter.asctime(951_782_400) == "Tue Feb 29 00:00:00 2000")
        #expect(MboxWriter.fromSender("") == "MAILER-DAEMON" && MboxWriter.fromSender("a b") == "MAILER-DAEMON")
    }

    @Test func folderNamesAsDovecotStoresThem() throws {
        let encode: (String) -> String = { String(decoding: ModifiedUTF7.encode($0), as: UTF8.self) }
        let names = ExportFolderNames.maildir(
            [("INBOX", 1), ("Entwürfe", 2), ("Lists/posta", 3), ("x.y", 4), ("x_y", 5), ("A&B", 6)], encodeLevel: encode)
        #expect(names.value["INBOX"] == "")
        #expect(names.value["Entwürfe"] == ".Entw&APw-rfe")
        #expect(names.value["Lists/posta"] == ".Lists.posta")
        #expect(names.value["x.y"] == ".x_y")
        #expect(names.value["x_y"] == ".x_y~5")
        #expect(names.value["A&B"] == ".A&-B")
        #expect(names.problems.count == 2)
        // The importer's parser reads every folder back to its levels.
        let folder = MaildirFolderName.parse(".Lists.Entw&APw-rfe", decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
        #expect(folder.value?.levels == ["Lists", "Entwürfe"])
        let mbox = ExportFolderNames.mbox([("INBOX", 1), ("Lists/posta", 2), ("..", 3)])
        #expect(mbox == ["INBOX": "INBOX.mbox", "Lists/posta": "Lists/posta.mbox", "..": "_.mbox"])
    }
}
