import Testing

@testable import IMAP

@Suite("Codec: response encoder")
struct CodecResponseEncoderTests {
    static func text(_ response: IMAPResponse, utf8: Bool = false) -> String {
        String(decoding: IMAPResponseEncoder(utf8Accept: utf8).encode(response), as: UTF8.self)
    }

    static func data(_ data: IMAPResponseData, utf8: Bool = false) -> String { text(.data(data), utf8: utf8) }

    @Test("status responses and codes (RFC 9051 §7.1 examples)")
    func status() {
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, "IMAP4rev2 server ready"))) == "* OK IMAP4rev2 server ready\r\n"
        )
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .alert, "System shutdown in 10 minutes")))
                == "* OK [ALERT] System shutdown in 10 minutes\r\n")
        #expect(
            Self.text(.tagged(tag: "A001", IMAPStatusResponse(.ok, "LOGIN completed"))) == "A001 OK LOGIN completed\r\n"
        )
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.no, "Disk is 98% full, please delete unnecessary data")))
                == "* NO Disk is 98% full, please delete unnecessary data\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.bad, "Command line too long"))) == "* BAD Command line too long\r\n"
        )
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.preauth, "IMAP4rev2 server logged in as Smith")))
                == "* PREAUTH IMAP4rev2 server logged in as Smith\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.bye, "Autologout; idle for too long")))
                == "* BYE Autologout; idle for too long\r\n")
        #expect(
            Self.text(.continuation("Ready for additional command text")) == "+ Ready for additional command text\r\n")
        #expect(Self.text(.continuation("")) == "+ \r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .unseen(12), "Message 12 is first unseen")))
                == "* OK [UNSEEN 12] Message 12 is first unseen\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .uidValidity(3_857_529_045), "UIDs valid")))
                == "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .uidNext(4392), "Predicted next UID")))
                == "* OK [UIDNEXT 4392] Predicted next UID\r\n")
        #expect(
            Self.text(
                .untagged(IMAPStatusResponse(.ok, code: .permanentFlags([.deleted, .seen, .wildcard]), "Limited")))
                == "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n")
        #expect(
            Self.text(.tagged(tag: "A142", IMAPStatusResponse(.ok, code: .readWrite, "SELECT completed")))
                == "A142 OK [READ-WRITE] SELECT completed\r\n")
        #expect(
            Self.text(.tagged(tag: "A932", IMAPStatusResponse(.ok, code: .readOnly, "EXAMINE completed")))
                == "A932 OK [READ-ONLY] EXAMINE completed\r\n")
        #expect(
            Self.text(.tagged(tag: "A003", IMAPStatusResponse(.no, code: .tryCreate, ""))) == "A003 NO [TRYCREATE]\r\n")
        #expect(
            Self.text(.tagged(tag: "A1", IMAPStatusResponse(.no, code: .badCharset(["UTF-8", "US-ASCII"]), "charset")))
                == "A1 NO [BADCHARSET (UTF-8 US-ASCII)] charset\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .capability(["IMAP4rev2", "AUTH=PLAIN"]), "hi")))
                == "* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] hi\r\n")
        #expect(Self.text(.tagged(tag: "t", IMAPStatusResponse(.bad, "a\r\nb"))) == "t BAD a  b\r\n")
        #expect(
            Self.text(.tagged(tag: "t", IMAPStatusResponse(.no, code: .other("X-FOO", "a]b"), "t")))
                == "t NO [X-FOO a b] t\r\n")
        let bare: [(IMAPResponseCode, String)] = [
            (.parse, "PARSE"), (.closed, "CLOSED"), (.nonexistent, "NONEXISTENT"), (.alreadyExists, "ALREADYEXISTS"),
            (.authenticationFailed, "AUTHENTICATIONFAILED"), (.unavailable, "UNAVAILABLE"),
            (.authorizationFailed, "AUTHORIZATIONFAILED"), (.expired, "EXPIRED"), (.privacyRequired, "PRIVACYREQUIRED"),
            (.contactAdmin, "CONTACTADMIN"), (.noPerm, "NOPERM"), (.inUse, "INUSE"), (.expungeIssued, "EXPUNGEISSUED"),
            (.corruption, "CORRUPTION"), (.serverBug, "SERVERBUG"), (.clientBug, "CLIENTBUG"), (.cannot, "CANNOT"),
            (.limit, "LIMIT"), (.overQuota, "OVERQUOTA"), (.hasChildren, "HASCHILDREN"), (.tooBig, "TOOBIG"),
            (.unknownCTE, "UNKNOWN-CTE"), (.notSaved, "NOTSAVED"), (.useAttr, "USEATTR"),
            (.uidNotSticky, "UIDNOTSTICKY"),
            (.noModSeq, "NOMODSEQ"), (.alert, "ALERT"),
        ]
        for (code, name) in bare {
            #expect(Self.text(.tagged(tag: "a", IMAPStatusResponse(.no, code: code, "x"))) == "a NO [\(name)] x\r\n")
        }
    }

    @Test("data responses (RFC 9051 §7.2-7.5 examples)")
    func dataResponses() {
        #expect(
            Self.data(.capability(["IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "XPIG-LATIN"]))
                == "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI XPIG-LATIN\r\n")
        #expect(
            Self.data(.list(IMAPListItem(attributes: ["\\Noselect"], delimiter: "/", name: "~/Mail/foo")))
                == "* LIST (\\Noselect) \"/\" \"~/Mail/foo\"\r\n")
        #expect(
            Self.data(.list(IMAPListItem(attributes: [], delimiter: nil, name: "foo"))) == "* LIST () NIL \"foo\"\r\n")
        #expect(
            Self.data(.lsub(IMAPListItem(attributes: [], delimiter: ".", name: "#news.comp.mail.misc")))
                == "* LSUB () \".\" \"#news.comp.mail.misc\"\r\n")
        #expect(
            Self.data(
                .status(mailbox: "blurdybloop", [IMAPStatusValue(.messages, 231), IMAPStatusValue(.uidNext, 44292)]))
                == "* STATUS \"blurdybloop\" (MESSAGES 231 UIDNEXT 44292)\r\n")
        #expect(
            Self.data(.flags([.answered, .flagged, .deleted, .seen, .draft]))
                == "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n")
        #expect(Self.data(.exists(23)) == "* 23 EXISTS\r\n")
        #expect(Self.data(.recent(5)) == "* 5 RECENT\r\n")
        #expect(Self.data(.expunge(44)) == "* 44 EXPUNGE\r\n")
        #expect(Self.data(.search([2, 84, 882])) == "* SEARCH 2 84 882\r\n")
        #expect(Self.data(.search([])) == "* SEARCH\r\n")
        #expect(
            Self.data(.fetch(23, [.flags([.seen]), .rfc822Size(44827)]))
                == "* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n")
        #expect(
            Self.data(.list(IMAPListItem(attributes: [], delimiter: "\\", name: "a\"b")))
                == "* LIST () \"\\\\\" \"a\\\"b\"\r\n")
    }

    @Test("FETCH: envelope, body structure, sections, literals, dates (RFC 3501 §8 example)")
    func fetch() {
        let envelope: IMAPValue = .list([
            "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)", "IMAP4rev1 WG mtg summary and minutes",
            .list([.list(["Terry Gray", .nil, "gray", "cac.washington.edu"])]),
            .list([.list(["Terry Gray", .nil, "gray", "cac.washington.edu"])]),
            .list([.list(["Terry Gray", .nil, "gray", "cac.washington.edu"])]),
            .list([.list([.nil, .nil, "imap", "cac.washington.edu"])]),
            .list([
                .list([.nil, .nil, "minutes", "CNRI.Reston.VA.US"]),
                .list(["John Klensin", .nil, "KLENSIN", "MIT.EDU"]),
            ]),
            .nil, .nil, "<B27397-0100000@cac.washington.edu>",
        ])
        let body: IMAPValue = .list(["TEXT", "PLAIN", .list(["CHARSET", "US-ASCII"]), .nil, .nil, "7BIT", 3028, 92])
        let date = IMAPDateTime(
            date: IMAPDate(year: 1996, month: 7, day: 17), hour: 2, minute: 44, second: 25, zoneMinutes: -420)
        let text = Self.data(
            .fetch(12, [.flags([.seen]), .internalDate(date), .rfc822Size(4286), .envelope(envelope), .body(body)]))
        #expect(
            text
                == "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 ENVELOPE "
                + "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
                + "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" \"cac.washington.edu\")) "
                + "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\") (\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
                + "\"<B27397-0100000@cac.washington.edu>\") BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"
        )
        let early = IMAPDateTime(
            date: IMAPDate(year: 2023, month: 1, day: 5), hour: 9, minute: 3, second: 7, zoneMinutes: 330)
        #expect(
            Self.data(.fetch(1, [.internalDate(early)]))
                == "* 1 FETCH (INTERNALDATE \" 5-Jan-2023 09:03:07 +0530\")\r\n")
        #expect(
            Self.data(
                .fetch(
                    2,
                    [
                        .uid(7),
                        .bodySection(
                            IMAPSection(part: [1], text: .headerFields(["DATE", "FROM"])), bytes("Date: x\r\n\r\n")),
                    ]))
                == "* 2 FETCH (UID 7 BODY[1.HEADER.FIELDS (DATE FROM)] {11}\r\nDate: x\r\n\r\n)\r\n")
        #expect(
            Self.data(.fetch(3, [.bodySection(IMAPSection(), origin: 100, bytes("abc"))]))
                == "* 3 FETCH (BODY[]<100> {3}\r\nabc)\r\n")
        #expect(
            Self.data(.fetch(3, [.bodySection(IMAPSection(part: [2], text: .mime), nil)]))
                == "* 3 FETCH (BODY[2.MIME] NIL)\r\n")
        #expect(
            Self.data(.fetch(4, [.rfc822(bytes("a")), .rfc822Header(bytes("h")), .rfc822Text(bytes(""))]))
                == "* 4 FETCH (RFC822 {1}\r\na RFC822.HEADER {1}\r\nh RFC822.TEXT {0}\r\n)\r\n")
        #expect(
            Self.data(.fetch(5, [.bodyStructure(.list(["a\r\nb", "\u{e9}"]))]))
                == "* 5 FETCH (BODYSTRUCTURE ({4}\r\na\r\nb {2}\r\n\u{e9}))\r\n")
        #expect(
            Self.data(.fetch(5, [.bodyStructure(.list(["\u{e9}"]))]), utf8: true)
                == "* 5 FETCH (BODYSTRUCTURE (\"\u{e9}\"))\r\n")
    }

    @Test("BINARY (RFC 3516): literal8 only when the data holds NUL")
    func binary() {
        #expect(
            Self.data(.fetch(1, [.binary(part: [1], bytes("a\u{0}b"))])) == "* 1 FETCH (BINARY[1] ~{3}\r\na\u{0}b)\r\n")
        #expect(
            Self.data(.fetch(1, [.binary(part: [1, 2], origin: 0, bytes("ab"))]))
                == "* 1 FETCH (BINARY[1.2]<0> {2}\r\nab)\r\n")
        #expect(Self.data(.fetch(2, [.binarySize(part: [1], 1234)])) == "* 2 FETCH (BINARY.SIZE[1] 1234)\r\n")
        #expect(
            Self.text(.tagged(tag: "t", IMAPStatusResponse(.no, code: .unknownCTE, "Can't decode")))
                == "t NO [UNKNOWN-CTE] Can't decode\r\n")
    }

    @Test("UIDPLUS (RFC 4315) and MOVE (RFC 6851) codes")
    func uidplus() {
        #expect(
            Self.text(
                .tagged(
                    tag: "A003",
                    IMAPStatusResponse(
                        .ok, code: .appendUID(uidValidity: 38505, uids: set(3955...3955)), "APPEND completed")))
                == "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n")
        #expect(
            Self.text(
                .tagged(
                    tag: "A004",
                    IMAPStatusResponse(
                        .ok,
                        code: .copyUID(
                            uidValidity: 38505, source: set(304...304, 319...320), destination: set(3956...3958)),
                        "Done")))
                == "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n")
        #expect(
            Self.text(
                .untagged(
                    IMAPStatusResponse(
                        .ok,
                        code: .copyUID(
                            uidValidity: 432_432, source: set(42...42, 69...69), destination: set(1202...1203)),
                        "Moved UIDs.")))
                == "* OK [COPYUID 432432 42,69 1202:1203] Moved UIDs.\r\n")
    }

    @Test("CONDSTORE/QRESYNC (RFC 7162)")
    func condstore() {
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .highestModSeq(715_194_045_007), "Highest")))
                == "* OK [HIGHESTMODSEQ 715194045007] Highest\r\n")
        #expect(
            Self.text(
                .tagged(
                    tag: "d105", IMAPStatusResponse(.ok, code: .modified(set(7...7, 9...9)), "Conditional STORE failed")
                )) == "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n")
        #expect(
            Self.text(
                .untagged(
                    IMAPStatusResponse(.ok, code: .noModSeq, "Sorry, this mailbox format doesn't support modsequences"))
            ) == "* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n")
        #expect(
            Self.data(.fetch(4, [.uid(8), .modSeq(12_121_231_000)])) == "* 4 FETCH (UID 8 MODSEQ (12121231000))\r\n")
        #expect(
            Self.data(.search([2, 5, 6, 7, 11, 12, 18, 19, 20, 23], modSeq: 917_162_500))
                == "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n")
        #expect(
            Self.data(.vanished(set(300...310, 405...405, 411...411), earlier: true))
                == "* VANISHED (EARLIER) 300:310,405,411\r\n")
        #expect(
            Self.data(.vanished(set(405...405, 407...407, 410...410, 425...425), earlier: false))
                == "* VANISHED 405,407,410,425\r\n")
        #expect(
            Self.text(.untagged(IMAPStatusResponse(.ok, code: .closed, "Previous mailbox closed.")))
                == "* OK [CLOSED] Previous mailbox closed.\r\n")
        #expect(Self.data(.enabled(["CONDSTORE"])) == "* ENABLED CONDSTORE\r\n")
    }

    @Test("ESEARCH (RFC 4731)")
    func esearch() {
        #expect(
            Self.data(.esearch(IMAPESearchResponse(tag: "A282", uid: false, min: 2, count: 3)))
                == "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n")
        #expect(
            Self.data(.esearch(IMAPESearchResponse(tag: "A283", uid: false, all: set(2...2, 10...11))))
                == "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\n")
        #expect(
            Self.data(.esearch(IMAPESearchResponse(tag: "A285", uid: true, min: 7, max: 3800)))
                == "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800\r\n")
        #expect(Self.data(.esearch(IMAPESearchResponse(tag: "A286", uid: false))) == "* ESEARCH (TAG \"A286\")\r\n")
        #expect(
            Self.data(.esearch(IMAPESearchResponse(tag: "a", uid: true, all: set(1...3), modSeq: 9)))
                == "* ESEARCH (TAG \"a\") UID ALL 1:3 MODSEQ 9\r\n")
    }

    @Test("LIST-EXTENDED, SPECIAL-USE, LIST-STATUS, STATUS=SIZE, APPENDLIMIT")
    func lists() {
        #expect(
            Self.data(.list(IMAPListItem(attributes: [], delimiter: "/", name: "Foo", childInfo: ["SUBSCRIBED"])))
                == "* LIST () \"/\" \"Foo\" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n")
        #expect(
            Self.data(.list(IMAPListItem(attributes: ["\\Subscribed"], delimiter: "/", name: "Bar", oldName: "Foo")))
                == "* LIST (\\Subscribed) \"/\" \"Bar\" (\"OLDNAME\" (\"Foo\"))\r\n")
        #expect(
            Self.data(
                .list(IMAPListItem(attributes: ["\\Sent", "\\HasNoChildren"], delimiter: "/", name: "Sent Mail")))
                == "* LIST (\\Sent \\HasNoChildren) \"/\" \"Sent Mail\"\r\n")
        #expect(
            Self.data(.status(mailbox: "INBOX", [IMAPStatusValue(.messages, 17), IMAPStatusValue(.unseen, 16)]))
                == "* STATUS \"INBOX\" (MESSAGES 17 UNSEEN 16)\r\n")
        #expect(
            Self.data(
                .status(
                    mailbox: "x",
                    [
                        IMAPStatusValue(.size, 4403), IMAPStatusValue(.appendLimit, nil),
                        IMAPStatusValue(.highestModSeq, 5),
                    ])) == "* STATUS \"x\" (SIZE 4403 APPENDLIMIT NIL HIGHESTMODSEQ 5)\r\n")
        #expect(
            Self.text(.tagged(tag: "t1", IMAPStatusResponse(.no, code: .useAttr, "\\All not supported")))
                == "t1 NO [USEATTR] \\All not supported\r\n")
    }

    @Test("mailbox names: modified UTF-7 unless UTF8=ACCEPT; literals when needed")
    func mailboxNames() {
        let item = IMAPListItem(attributes: [], delimiter: "/", name: "Entwürfe/日本")
        #expect(Self.data(.list(item)) == "* LIST () \"/\" \"Entw&APw-rfe/&ZeVnLA-\"\r\n")
        #expect(Self.data(.list(item), utf8: true) == "* LIST () \"/\" \"Entwürfe/日本\"\r\n")
        #expect(
            Self.data(.list(IMAPListItem(attributes: [], delimiter: "/", name: "a\nb")), utf8: true)
                == "* LIST () \"/\" {3}\r\na\nb\r\n")
    }

    @Test("NAMESPACE (RFC 2342), ID (RFC 2971), QUOTA (RFC 9208)")
    func misc() {
        #expect(
            Self.data(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: "/")], otherUsers: nil, shared: nil))
                == "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
        #expect(
            Self.data(
                .namespace(
                    personal: [IMAPNamespace(prefix: "", delimiter: "/")],
                    otherUsers: [IMAPNamespace(prefix: "~", delimiter: "/")],
                    shared: [
                        IMAPNamespace(prefix: "#shared/", delimiter: "/"),
                        IMAPNamespace(prefix: "#public/", delimiter: "/"),
                    ]))
                == "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n")
        #expect(
            Self.data(
                .id([
                    IMAPIDField("name", "Cyrus"), IMAPIDField("version", "1.5"), IMAPIDField("os", "sunos"),
                    IMAPIDField("os-version", "5.5"), IMAPIDField("support-url", "mailto:cyrus-bugs+@andrew.cmu.edu"),
                ]))
                == "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" \"sunos\" \"os-version\" \"5.5\" \"support-url\" \"mailto:cyrus-bugs+@andrew.cmu.edu\")\r\n"
        )
        #expect(Self.data(.id(nil)) == "* ID NIL\r\n")
        #expect(
            Self.data(.quota(root: "", [IMAPQuotaUsage(resource: "STORAGE", usage: 10, limit: 512)]))
                == "* QUOTA \"\" (STORAGE 10 512)\r\n")
        #expect(Self.data(.quotaRoot(mailbox: "INBOX", roots: [""])) == "* QUOTAROOT \"INBOX\" \"\"\r\n")
        #expect(Self.data(.quotaRoot(mailbox: "comp.mail.mime", roots: [])) == "* QUOTAROOT \"comp.mail.mime\"\r\n")
    }

    @Test("dates convert to and from seconds since 1970")
    func dates() {
        let date = IMAPDateTime(secondsSince1970: 837_596_665, zoneMinutes: -420)
        #expect(
            date
                == IMAPDateTime(
                    date: IMAPDate(year: 1996, month: 7, day: 17), hour: 2, minute: 44, second: 25, zoneMinutes: -420))
        #expect(date.secondsSince1970 == 837_596_665)
        #expect(IMAPDateTime(secondsSince1970: -1).date == IMAPDate(year: 1969, month: 12, day: 31))
        #expect(IMAPDate(year: 2000, month: 3, day: 1).daysSince1970 == 11017)
    }

    @Test("sequence sets normalise and print")
    func sequenceSets() {
        let parsed = IMAPSequenceSet.ranges([
            IMAPSequenceRange(.number(9), .number(7)), IMAPSequenceRange(.number(1)),
            IMAPSequenceRange(.number(2), .star),
        ])
        #expect(parsed.normalized(largest: 5) == [1...5, 7...9])
        #expect(parsed.normalized(largest: 20) == [1...20])
        #expect(IMAPSequenceSet.lastResult.normalized(largest: 3) == nil)
        #expect(String(decoding: parsed.bytes, as: UTF8.self) == "9:7,1,2:*")
        #expect(set(1...1, 3...3).normalized(largest: 0) == [1...1, 3...3])
    }
}
