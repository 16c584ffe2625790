import Testing

@testable import MIME

@Suite struct EnvelopeTests {
    private func parse(_ value: String) -> [EnvelopeAddress] { EnvelopeAddress.parseList(Array(value.utf8)) }

    @Test func envelopeFieldsAreRawUnfoldedValues() {
        let message = Fixtures.message(
            """
            Date: Mon, 7 Feb 1994 21:52:25\n -0800 (PST)
            Subject: =?utf-8?q?caf=C3=A9?=
            From: Fred Foobar <foobar@Blurdybloop.example>
            To: mooch@owatagu.siam.edu.example
            Cc: a@x.example, "B, Bee" <b@y.example>
            Message-ID: <B27397-0100000@Blurdybloop.example>
            In-Reply-To: <parent@x.example>

            body
            """)
        let envelope = message.envelope
        #expect(envelope.date == "Mon, 7 Feb 1994 21:52:25 -0800 (PST)")
        #expect(envelope.subject == "=?utf-8?q?caf=C3=A9?=")
        let fred = EnvelopeAddress(name: "Fred Foobar", mailbox: "foobar", host: "Blurdybloop.example")
        #expect(envelope.from == [fred])
        #expect(envelope.sender == [fred])
        #expect(envelope.replyTo == [fred])
        #expect(envelope.to == [EnvelopeAddress(mailbox: "mooch", host: "owatagu.siam.edu.example")])
        #expect(
            envelope.cc == [
                EnvelopeAddress(mailbox: "a", host: "x.example"),
                EnvelopeAddress(name: "B, Bee", mailbox: "b", host: "y.example"),
            ])
        #expect(envelope.bcc == nil)
        #expect(envelope.messageID == "<B27397-0100000@Blurdybloop.example>")
        #expect(envelope.inReplyTo == "<parent@x.example>")
    }

    @Test func noFromMeansNoSenderOrReplyTo() {
        let envelope = Fixtures.message("Subject: hi\nReply-To: r@x.example\n\n").envelope
        #expect(envelope.from == nil)
        #expect(envelope.sender == nil)
        #expect(envelope.replyTo == [EnvelopeAddress(mailbox: "r", host: "x.example")])
        #expect(envelope.date == nil)
        #expect(envelope.messageID == nil)
    }

    @Test func groupsBecomeStartAndEndMarkers() {
        #expect(
            parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, x@y.test") == [
                .groupStart("A Group"),
                EnvelopeAddress(name: "Ed Jones", mailbox: "c", host: "a.test"),
                EnvelopeAddress(mailbox: "joe", host: "where.test"),
                EnvelopeAddress(name: "John", mailbox: "jdoe", host: "one.test"),
                .groupEnd,
                EnvelopeAddress(mailbox: "x", host: "y.test"),
            ])
        #expect(parse("undisclosed-recipients:;") == [.groupStart("undisclosed-recipients"), .groupEnd])
        #expect(parse("Unterminated: a@b") == [.groupStart("Unterminated"), .init(mailbox: "a", host: "b"), .groupEnd])
        #expect(EnvelopeAddress.groupStart("g").isGroupStart && EnvelopeAddress.groupEnd.isGroupEnd)
    }

    @Test func quotedLocalPartsStayQuotedOnlyWhenNeeded() {
        #expect(parse("\"john\"@example.com") == [EnvelopeAddress(mailbox: "john", host: "example.com")])
        #expect(parse("\"john doe\"@example.com") == [EnvelopeAddress(mailbox: "\"john doe\"", host: "example.com")])
        #expect(parse("<\"a\\\"b\"@example.com>") == [EnvelopeAddress(mailbox: "\"a\\\"b\"", host: "example.com")])
        #expect(parse("\"Smith, John \\\"JS\\\"\" <js@x.test>").first?.name == "Smith, John \"JS\"")
    }

    @Test func commentsAreSkippedOrUsedAsName() {
        #expect(
            parse("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>") == [
                EnvelopeAddress(name: "Pete", mailbox: "pete", host: "silly.test")
            ])
        #expect(
            parse("jdoe@example.org (John Doe)") == [
                EnvelopeAddress(name: "John Doe", mailbox: "jdoe", host: "example.org")
            ])
        #expect(parse("John Q. Public <jqp@x.test>").first?.name == "John Q. Public")
    }

    @Test func obsoleteRoutesGoToAdl() {
        #expect(
            parse("Joe <@a.test,@b.test:joe@c.test>") == [
                EnvelopeAddress(name: "Joe", adl: "@a.test,@b.test", mailbox: "joe", host: "c.test")
            ])
    }

    @Test func missingDomainEncodedWordsAndUTF8() {
        #expect(parse("localonly") == [EnvelopeAddress(mailbox: "localonly", host: "")])
        #expect(parse("=?utf-8?q?J=C3=B6rg?= <j@x.test>").first?.name == "=?utf-8?q?J=C3=B6rg?=")
        #expect(
            parse("Jörg <jörg@bücher.example>") == [
                EnvelopeAddress(name: "Jörg", mailbox: "jörg", host: "bücher.example")
            ])
        #expect(parse("<>") == [EnvelopeAddress(mailbox: "", host: "")])
        #expect(parse("") == [])
        #expect(parse(" , ,") == [])
    }

    @Test func garbageNeverTraps() {
        for text in ["<<<>>>", "\"unterminated", "(((", "a@", "@b", ":;:;", "a <b@c", ";;;,,,<>:@", "\\", "[1.2.3"] {
            _ = parse(text)
        }
    }
}
