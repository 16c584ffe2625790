import Testing

@testable import IMAP

@Suite("Codec: command parser, RFC 3501 §6 and RFC 9051 §6 examples")
struct CodecCommandParserTests {
    @Test("any state and not-authenticated commands")
    func basics() throws {
        #expect(try parseKind("abcd CAPABILITY", tag: "abcd") == .capability)
        #expect(try parseKind("a002 NOOP") == .noop)
        #expect(try parseKind("A023 LOGOUT") == .logout)
        #expect(try parseKind("a001 STARTTLS") == .startTLS)
        #expect(try parseKind("A001 AUTHENTICATE GSSAPI") == .authenticate(mechanism: "GSSAPI", initialResponse: nil))
        #expect(try parseKind("a001 login SMITH SESAME") == .login(userID: bytes("SMITH"), password: bytes("SESAME")))
        #expect(
            try parseKind("a001 LOGIN \"fred\" {6}\r\nfoo\"ba")
                == .login(userID: bytes("fred"), password: bytes("foo\"ba")))
        #expect(try parseKind("a1 LOGIN \"a\\\\b\\\"c\" x") == .login(userID: bytes("a\\b\"c"), password: bytes("x")))
    }

    @Test("authenticated-state commands")
    func authenticated() throws {
        #expect(try parseKind("A142 SELECT INBOX") == .select(mailbox("INBOX"), IMAPSelectParameters()))
        #expect(try parseKind("A932 EXAMINE blurdybloop") == .examine(mailbox("blurdybloop"), IMAPSelectParameters()))
        #expect(try parseKind("A003 CREATE owatagusiam/") == .create(mailbox("owatagusiam/"), specialUse: []))
        #expect(try parseKind("A683 DELETE blurdybloop") == .delete(mailbox("blurdybloop")))
        #expect(
            try parseKind("A683 RENAME blurdybloop sarasoop")
                == .rename(from: mailbox("blurdybloop"), to: mailbox("sarasoop")))
        #expect(try parseKind("Z432 RENAME INBOX old-mail") == .rename(from: mailbox("INBOX"), to: mailbox("old-mail")))
        #expect(try parseKind("A002 SUBSCRIBE #news.comp.mail.mime") == .subscribe(mailbox("#news.comp.mail.mime")))
        #expect(try parseKind("A002 UNSUBSCRIBE #news.comp.mail.mime") == .unsubscribe(mailbox("#news.comp.mail.mime")))
        #expect(
            try parseKind("A101 LIST \"\" \"\"")
                == .list(IMAPListCommand(reference: mailbox(""), patterns: [mailbox("")])))
        #expect(
            try parseKind("A202 LIST ~/Mail/ %")
                == .list(IMAPListCommand(reference: mailbox("~/Mail/"), patterns: [mailbox("%")])))
        #expect(
            try parseKind("A102 LIST #news.comp.mail.misc \"\"")
                == .list(IMAPListCommand(reference: mailbox("#news.comp.mail.misc"), patterns: [mailbox("")])))
        #expect(
            try parseKind("A002 LSUB \"#news.\" \"comp.mail.*\"")
                == .lsub(reference: mailbox("#news."), pattern: mailbox("comp.mail.*")))
        #expect(
            try parseKind("A042 STATUS blurdybloop (UIDNEXT MESSAGES)")
                == .status(mailbox("blurdybloop"), [.uidNext, .messages]))
        #expect(try parseKind("A001 NAMESPACE") == .namespace)
        #expect(try parseKind("a IDLE") == .idle)
        #expect(try parseKind("t2 ENABLE CONDSTORE X-GOOD-IDEA") == .enable(["CONDSTORE", "X-GOOD-IDEA"]))
    }

    @Test("APPEND with a literal, flags and date-time (RFC 3501 §6.3.11, RFC 3502 MULTIAPPEND)")
    func append() throws {
        let message = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nSubject: afternoon meeting\r\n\r\nHello Joe\r\n"
        let kind = try parseKind("A003 APPEND saved-messages (\\Seen) {\(message.utf8.count)}\r\n\(message)")
        #expect(kind == .append(mailbox("saved-messages"), [IMAPAppendMessage(flags: [.seen], data: bytes(message))]))
        let multi = try parseKind(
            "A003 APPEND saved-messages (\\Seen) {5}\r\nabcde (\\Seen) \" 1-Aug-2002 22:00:00 -0700\" {3+}\r\nxyz ~{2}\r\na\u{0}"
        )
        let date = IMAPDateTime(
            date: IMAPDate(year: 2002, month: 8, day: 1), hour: 22, minute: 0, second: 0, zoneMinutes: -420)
        #expect(
            multi
                == .append(
                    mailbox("saved-messages"),
                    [
                        IMAPAppendMessage(flags: [.seen], data: bytes("abcde")),
                        IMAPAppendMessage(flags: [.seen], internalDate: date, data: bytes("xyz")),
                        IMAPAppendMessage(data: [0x61, 0], isBinary: true),
                    ]))
        #expect(parseError("A1 APPEND x {2}\r\na\u{0}")?.reason.contains("NUL") == true)
        #expect(parseError("A1 APPEND x") != nil)
    }

    @Test("selected-state commands")
    func selected() throws {
        #expect(try parseKind("FXXZ CHECK") == .check)
        #expect(try parseKind("A341 CLOSE") == .close)
        #expect(try parseKind("A342 UNSELECT") == .unselect)
        #expect(try parseKind("A202 EXPUNGE") == .expunge)
        #expect(try parseKind("A003 UID EXPUNGE 3000:3002") == .uidExpunge(set(3000...3002)))
        #expect(try parseKind("A003 COPY 2:4 MEETING") == .copy(set(2...4), mailbox("MEETING"), uid: false))
        #expect(try parseKind("a UID MOVE 42:69 foo") == .move(set(42...69), mailbox("foo"), uid: true))
        #expect(
            try parseKind("A003 STORE 2:4 +FLAGS (\\Deleted)")
                == .store(set(2...4), IMAPStoreAction(.add, flags: [.deleted]), unchangedSince: nil, uid: false))
        #expect(
            try parseKind("A004 STORE 1 -FLAGS.SILENT \\Seen $Junk")
                == .store(
                    set(1...1), IMAPStoreAction(.remove, silent: true, flags: [.seen, IMAPFlag("$Junk")]),
                    unchangedSince: nil, uid: false))
    }

    @Test("FETCH items, macros, sections and partials")
    func fetch() throws {
        #expect(
            try parseKind("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])")
                == .fetch(
                    set(2...4),
                    [
                        .flags,
                        .bodySection(IMAPSection(text: .headerFields(["DATE", "FROM"])), partial: nil, peek: false),
                    ], IMAPFetchModifiers(), uid: false))
        #expect(
            try parseKind("A999 UID FETCH 4827313:4828442 FLAGS")
                == .fetch(set(4_827_313...4_828_442), [.uid, .flags], IMAPFetchModifiers(), uid: true))
        #expect(
            try parseKind("a FETCH 1 ALL")
                == .fetch(set(1...1), IMAPFetchAttribute.allMacro, IMAPFetchModifiers(), uid: false))
        #expect(
            try parseKind("a FETCH 1 fast")
                == .fetch(set(1...1), IMAPFetchAttribute.fastMacro, IMAPFetchModifiers(), uid: false))
        #expect(
            try parseKind("a FETCH 1 FULL")
                == .fetch(set(1...1), IMAPFetchAttribute.fullMacro, IMAPFetchModifiers(), uid: false))
        let all = try parseKind(
            "a FETCH 1:* (ENVELOPE BODY BODYSTRUCTURE INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE RFC822.TEXT UID MODSEQ "
                + "BODY[] BODY.PEEK[1.2.MIME]<0.100> BODY[3.HEADER.FIELDS.NOT (X-A \"X B\")] BODY[4.TEXT] BODY[HEADER] "
                + "BINARY[1]<10.20> BINARY.PEEK[] BINARY.SIZE[2.1])")
        let expected: [IMAPFetchAttribute] = [
            .envelope, .body, .bodyStructure, .internalDate, .rfc822, .rfc822Header, .rfc822Size, .rfc822Text, .uid,
            .modSeq,
            .bodySection(IMAPSection(), partial: nil, peek: false),
            .bodySection(
                IMAPSection(part: [1, 2], text: .mime), partial: IMAPPartial(offset: 0, length: 100), peek: true),
            .bodySection(IMAPSection(part: [3], text: .headerFieldsNot(["X-A", "X B"])), partial: nil, peek: false),
            .bodySection(IMAPSection(part: [4], text: .text), partial: nil, peek: false),
            .bodySection(IMAPSection(text: .header), partial: nil, peek: false),
            .binary(part: [1], partial: IMAPPartial(offset: 10, length: 20), peek: false),
            .binary(part: [], partial: nil, peek: true),
            .binarySize(part: [2, 1]),
        ]
        #expect(
            all == .fetch(.ranges([IMAPSequenceRange(.number(1), .star)]), expected, IMAPFetchModifiers(), uid: false))
        #expect(parseError("a FETCH 1 (BODY[MIME])") != nil)
        #expect(parseError("a FETCH 1 (BODY[1.2.3)") != nil)
        #expect(parseError("a FETCH 1 (BODY[]<0.0>)") != nil)
        #expect(parseError("a FETCH 0 FLAGS") != nil)
        #expect(parseError("a FETCH 1 (FLAGS") != nil)
    }

    @Test("SEARCH keys, nesting, charset and RETURN")
    func search() throws {
        #expect(
            try parseKind("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
                == .search(
                    IMAPSearchCommand(
                        key: .and([
                            .flagged, .since(IMAPDate(year: 1994, month: 2, day: 1)), .not(.from(bytes("Smith"))),
                        ])), uid: false))
        #expect(
            try parseKind("A283 SEARCH TEXT \"string not in mailbox\"")
                == .search(IMAPSearchCommand(key: .text(bytes("string not in mailbox"))), uid: false))
        let utf8Text: [UInt8] = [0xD0, 0xA5, 0xD0, 0xA5, 0xD0, 0xA5]
        let frame = bytes("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\n") + utf8Text
        #expect(
            try IMAPCommandParser().parse(frame).kind
                == .search(IMAPSearchCommand(charset: "UTF-8", key: .text(utf8Text)), uid: false))
        #expect(
            try parseKind("A282 SEARCH RETURN (MIN COUNT) FLAGGED")
                == .search(IMAPSearchCommand(returnOptions: [.min, .count], key: .flagged), uid: false))
        #expect(
            try parseKind("A283 SEARCH RETURN () FLAGGED")
                == .search(IMAPSearchCommand(returnOptions: [], key: .flagged), uid: false))
        let every = try parseKind(
            "a UID SEARCH ALL ANSWERED BCC x BEFORE \"2-Mar-2020\" BODY y CC z DELETED DRAFT FLAGGED FROM f HEADER Message-ID <a@b> "
                + "KEYWORD $Fwd LARGER 10 NEW OLD ON 3-Apr-2021 RECENT SEEN SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 "
                + "SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 SMALLER 99 SUBJECT s TEXT t TO u UID 1:5,7 UNANSWERED UNDELETED "
                + "UNDRAFT UNFLAGGED UNKEYWORD $Fwd UNSEEN 2,4:* $ OR (SEEN DELETED) NOT (NEW) MODSEQ 5")
        guard case .search(let command, uid: true) = every, case .and(let keys) = command.key else {
            Issue.record("not a UID SEARCH")
            return
        }
        #expect(keys.count == 37)
        #expect(keys.contains(.header("Message-ID", bytes("<a@b>"))))
        #expect(keys.contains(.before(IMAPDate(year: 2020, month: 3, day: 2))))
        #expect(keys.contains(.or(.and([.seen, .deleted]), .not(.new))))
        #expect(
            keys.contains(.sequenceSet(.ranges([IMAPSequenceRange(.number(2)), IMAPSequenceRange(.number(4), .star)]))))
        #expect(keys.contains(.sequenceSet(.lastResult)))
        #expect(keys.last == .modSeq(IMAPSearchModSeq(modSeq: 5)))
        #expect(parseError("a SEARCH BEFORE 30-Feb-2020") != nil)
        #expect(parseError("a SEARCH FOO") != nil)
        #expect(parseError("a SEARCH") != nil)
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = "a SEARCH " + String(repeating: "(", count: 40) + "ALL" + String(repeating: ")", count: 40)
        #expect(parseError(deep)?.reason.contains("nested") == true)
        #expect(
            parseError("a SEARCH " + String(repeating: "NOT ", count: 40) + "ALL")?.reason.contains("nested") == true)
        #expect(
            parseError("a SEARCH " + String(repeating: "(", count: 10) + "ALL" + String(repeating: ")", count: 10))
                == nil)
        #expect(parseError("a SEARCH " + String(repeating: "(", count: 100_000)) != nil)
    }

    @Test("errors carry the tag when it can be read")
    func errors() throws {
        #expect(parseError("") == IMAPParseError(tag: nil, reason: "missing or invalid tag"))
        #expect(parseError("NOOP")?.tag == nil)
        #expect(parseError("a+b NOOP")?.tag == nil)
        #expect(parseError("\"x\" NOOP")?.tag == nil)
        #expect(parseError("a1 NOOP extra")?.tag == "a1")
        #expect(parseError("a1 ")?.tag == "a1")
        #expect(parseError("a1 LOGIN \"unterminated")?.tag == "a1")
        #expect(parseError("a1 LOGIN \"8bit\u{e9}\" x")?.reason.contains("8-bit") == true)
        #expect(parseError("a1 LOGIN \"8bit\u{e9}\" x", utf8: true) == nil)
        #expect(parseError("a1 LOGIN {10}\r\nshort") != nil)
        #expect(parseError("a1 FETCH 4294967296 FLAGS") != nil)
        #expect(try parseKind("a1 XYZZY foo bar") == .unknown("XYZZY"))
        #expect(IMAPCommandParser.tag(of: bytes("a1 NOOP")) == "a1")
        #expect(IMAPCommandParser.tag(of: bytes("a1")) == nil)
    }
}
