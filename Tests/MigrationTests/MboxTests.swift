import PostaTestSupport
import Testing

@testable import Migration

@Suite struct MboxTests {
    static func text(_ message: MboxMessage) -> String { String(decoding: message.bytes, as: UTF8.self) }

    @Test func readsTheMboxDovecotWrote() throws {
        let parsed = MboxReader.parse(try MigrationFixtures.bytes("dovecot.mbox"), variant: .mboxcl2)
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let (messages, folder) = parsed.value
        #expect(folder == MboxFolderData(uidValidity: 1_796_528_983, nextUID: 4, keywords: ["$Label1", "Work"]))
        #expect(messages.map(\.sender) == ["carol@example.org", "dave@example.org", "MAILER-DAEMON"])
        #expect(messages.map(\.uid) == [1, 2, 3])
        #expect(messages.map(\.line) == [1, 17, 29])
        #expect(messages[0].flags == ["\\Answered", "\\Seen"])
        #expect(messages[1].flags == ["\\Flagged", "$Label1", "Work"])
        #expect(messages[2].flags == ["\\Deleted", "\\Draft"])
        // Sun Dec 06 03:49:43 2026, no zone: taken as UTC.
        #expect(messages[0].internalDate == 1_796_528_983)
        // Dovecot's own fields are gone; the body is untouched (Dovecot neither quotes nor unquotes).
        #expect(
            Self.text(messages[0]) == """
                From: Carol <carol@example.org>
                To: bob@example.org
                Subject: mbox one
                Date: Tue, 2 Jan 2024 09:00:00 +0100

                First line
                From the start, this line begins with From.
                >From quoted already.

                """)
        #expect(Self.text(messages[2]) == "Subject: mbox three\n\nThird\n")
    }

    static let mboxrd = """
        From alice@example.org Mon Jan  1 10:00:00 2024
        Subject: one
        Status: RO
        X-Status: F
        X-Keywords: $Work, Urgent

        Hello
        >From the quoted line
        >>From a doubly quoted line

        From bob@example.org Tue Jan  2 11:30 +0100 2024
        Subject: two
        X-Mozilla-Status: 1005
        X-Mozilla-Keys: $label1

        Body
        From inside a paragraph is body text.


        """

    @Test func mboxrdUnquotingDatesAndFlags() throws {
        let parsed = MboxReader.parse(Array(Self.mboxrd.utf8))
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let messages = parsed.value.messages
        #expect(messages.count == 2)
        #expect(Self.text(messages[0]) == "Subject: one\n\nHello\nFrom the quoted line\n>From a doubly quoted line\n")
        #expect(messages[0].flags == ["\\Flagged", "\\Seen", "$Work", "Urgent"])
        #expect(messages[0].internalDate == 1_704_103_200)
        #expect(messages[1].internalDate == 1_704_195_000 - 3600)
        #expect(messages[1].flags == ["\\Flagged", "\\Seen", "$Forwarded", "$label1"])
        #expect(Self.text(messages[1]).hasSuffix("Body\nFrom inside a paragraph is body text.\n"))
        let mboxo = MboxReader.parse(Array(Self.mboxrd.utf8), variant: .mboxo).value.messages
        #expect(Self.text(mboxo[0]).contains("\nFrom the quoted line\n>>From a doubly quoted line\n"))
    }

    @Test func anySplitOfTheInputGivesTheSameMessages() {
        let bytes = Array((Self.mboxrd + "\r\n").utf8)
        let whole = MboxReader.parse(bytes)
        var random = SeededGenerator(seed: 4155)
        for _ in 0..<50 {
            var reader = MboxReader()
            var items: [MboxItem] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...9, using: &random))
                items += reader.read(bytes[start..<end])
                start = end
            }
            items += reader.finish()
            let messages = items.compactMap { if case .message(let message) = $0 { message } else { nil } }
            #expect(messages == whole.value.messages)
        }
    }

    @Test func brokenFromLinesAreReportedPerMessage() {
        let text = """
            garbage before
            From alice@example.org Mon Jan  1 10:00:00 2024
            Subject: ok

            body

            From nobody-without-a-date
            Subject: skipped

            lost

            From bob@example.org Feb 30 10:00:00 2024
            Subject: impossible date

            From carol@example.org Mon Jan  1 10:00:00 2024
            Subject: ok too

            end

            """
        let parsed = MboxReader.parse(Array((text + "\n").utf8))
        #expect(parsed.value.messages.map(\.line) == [2, 15])
        #expect(parsed.problems.map(\.line) == [1, 7, 12])
        #expect(parsed.problems[1].reason.contains("broken From_ line"))
    }

    @Test func truncatedLastMessages() {
        let head = "From a@example.org Mon Jan  1 10:00:00 2024\nSubject: one\n\nbody\n\n"
        let cutInLine = MboxReader.parse(
            Array((head + "From b@example.org Mon Jan  1 10:00:00 2024\nSubject: two\n\nhalf a li").utf8))
        #expect(cutInLine.value.messages.count == 1)
        #expect(
            cutInLine.problems.count == 1 && cutInLine.problems[0].line == 6 && cutInLine.problems[0].reason.contains("truncated")
        )
        let cutInHeader = MboxReader.parse(Array((head + "From b@example.org Mon Jan  1 10:00:00 2024\nSubject: two\n").utf8))
        #expect(cutInHeader.value.messages.count == 1 && cutInHeader.problems[0].reason.contains("inside its header"))
        let noFinalEmptyLine = MboxReader.parse(
            Array((head + "From b@example.org Mon Jan  1 10:00:00 2024\nSubject: two\n\nend\n").utf8))
        #expect(noFinalEmptyLine.value.messages.count == 2 && noFinalEmptyLine.problems[0].reason.contains(": kept"))
        #expect(MboxReader.parse([]).problems.map(\.reason) == ["the file is empty"])
        #expect(MboxReader.parse(Array("no from line".utf8)).problems.count == 1)
    }

    @Test func wrongContentLengthSplitsAfterAll() {
        let text = """
            From a@example.org Mon Jan  1 10:00:00 2024
            Content-Length: 5000

            one

            From b@example.org Mon Jan  1 10:00:00 2024
            Subject: two

            two

            """
        let parsed = MboxReader.parse(Array((text + "\n").utf8), variant: .mboxcl2)
        #expect(parsed.value.messages.map(\.sender) == ["a@example.org", "b@example.org"])
        #expect(Self.text(parsed.value.messages[0]) == "\none\n")
        #expect(parsed.value.messages[1].line == 6)
    }

    @Test func oversizedMessagesAndLongLinesAreBounded() {
        let long = String(repeating: "x", count: 20_000)
        let text =
            "From a@example.org Mon Jan  1 10:00:00 2024\nSubject: big\n\n\(long)\n\n"
            + "From b@example.org Mon Jan  1 10:00:00 2024\nSubject: small\n\n\(long.prefix(100))\n\n"
            + "From " + long + "\n\nFrom c@example.org Mon Jan  1 10:00:00 2024\n\nc\n\n"
        let parsed = MboxReader.parse(Array(text.utf8), maxMessageSize: 10_000)
        #expect(parsed.value.messages.map(\.sender) == ["b@example.org", "c@example.org"])
        #expect(parsed.problems.map(\.line) == [1, 11])
        let roomy = MboxReader.parse(Array(text.utf8))
        #expect(roomy.value.messages.first?.bytes.count == 20_000 + 15)
    }

    @Test func thePseudoMessageCarriesFolderDataOnly() {
        let text = """
            From MAILER_DAEMON Wed Jan  3 12:00:00 2024
            Date: Wed, 3 Jan 2024 12:00:00 +0000
            From: Mail System Internal Data <MAILER-DAEMON@host>
            Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA
            X-IMAP: 1700000000 0000000012 Work
            Status: RO

            This text is part of the internal format of your mail folder.

            From a@example.org Wed Jan  3 12:00:01 2024
            X-UID: 11

            x

            """
        let parsed = MboxReader.parse(Array(text.utf8))
        #expect(parsed.value.folderData == MboxFolderData(uidValidity: 1_700_000_000, nextUID: 13, keywords: ["Work"]))
        #expect(parsed.value.messages.map(\.uid) == [11])
    }
}
