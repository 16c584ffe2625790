import Testing

@testable import IMAP

@Suite("Codec: extension command examples")
struct CodecExtensionCommandTests {
    @Test("SASL-IR (RFC 4959), LITERAL+ (RFC 7888), ID (RFC 2971)")
    func saslLiteralID() throws {
        #expect(
            try parseKind("a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=")
                == .authenticate(mechanism: "PLAIN", initialResponse: "dGVzdAB0ZXN0AHRlc3Q="))
        #expect(
            try parseKind("a02 AUTHENTICATE EXTERNAL =") == .authenticate(mechanism: "EXTERNAL", initialResponse: "="))
        #expect(
            try parseKind("A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man")
                == .login(userID: bytes("FRED FOOBAR"), password: bytes("fat man")))
        #expect(
            try parseKind("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")")
                == .id([
                    IMAPIDField("name", "sodr"), IMAPIDField("version", "19.34"),
                    IMAPIDField("vendor", "Pink Floyd Music Limited"),
                ]))
        #expect(try parseKind("a024 ID NIL") == .id(nil))
        #expect(try parseKind("a025 ID (\"x\" NIL)") == .id([IMAPIDField("x", nil)]))
    }

    @Test("CONDSTORE and QRESYNC (RFC 7162)")
    func condstore() throws {
        #expect(
            try parseKind("A142 SELECT INBOX (CONDSTORE)")
                == .select(mailbox("INBOX"), IMAPSelectParameters(condStore: true)))
        #expect(
            try parseKind("a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\\Deleted)")
                == .store(
                    .ranges([
                        IMAPSequenceRange(.number(6)), IMAPSequenceRange(.number(4)), IMAPSequenceRange(.number(8)),
                    ]),
                    IMAPStoreAction(.add, silent: true, flags: [.deleted]), unchangedSince: 12_121_230_045, uid: true))
        #expect(
            try parseKind("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)")
                == .fetch(
                    .ranges([IMAPSequenceRange(.number(1), .star)]), [.uid, .flags],
                    IMAPFetchModifiers(changedSince: 12345), uid: true))
        #expect(
            try parseKind("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338")
                == .search(
                    IMAPSearchCommand(
                        key: .modSeq(
                            IMAPSearchModSeq(modSeq: 620_162_338, entryFlag: IMAPFlag("\\draft"), entryType: .all))),
                    uid: false))
        #expect(
            try parseKind("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))")
                == .select(
                    mailbox("INBOX"),
                    IMAPSelectParameters(
                        qresync: IMAPQResyncParameters(
                            uidValidity: 67_890_007, modSeq: 20_050_715_194_045_000,
                            knownUIDs: set(41...41, 43...211, 214...541)))))
        let seqMatch = try parseKind(
            "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973)))"
        )
        #expect(
            seqMatch
                == .select(
                    mailbox("INBOX"),
                    IMAPSelectParameters(
                        qresync: IMAPQResyncParameters(
                            uidValidity: 67_890_007, modSeq: 90_060_115_194_045_000, knownUIDs: set(1...29997),
                            knownSequenceSet: set(5000...5000, 7500...7500, 9000...9000, 9990...9999),
                            knownUIDSet: set(15000...15000, 22500...22500, 27000...27000, 29970...29970, 29973...29973))
                    )))
        #expect(
            try parseKind("A03 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
                == .fetch(
                    set(300...500), [.uid, .flags], IMAPFetchModifiers(changedSince: 12345, vanished: true), uid: true))
        #expect(
            try parseKind("A04 EXAMINE INBOX (QRESYNC (1 2))")
                == .examine(
                    mailbox("INBOX"), IMAPSelectParameters(qresync: IMAPQResyncParameters(uidValidity: 1, modSeq: 2))))
        #expect(parseError("A04 SELECT INBOX (FOO)") != nil)
    }

    @Test("ESEARCH (RFC 4731) and SEARCHRES (RFC 5182)")
    func esearch() throws {
        let criteria = IMAPSearchKey.and([
            .flagged, .since(IMAPDate(year: 1994, month: 2, day: 1)), .not(.from(bytes("Smith"))),
        ])
        #expect(
            try parseKind("A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"")
                == .search(IMAPSearchCommand(returnOptions: [.save], key: criteria), uid: false))
        #expect(
            try parseKind("A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.SIZE)")
                == .fetch(.lastResult, [.uid, .internalDate, .flags, .rfc822Size], IMAPFetchModifiers(), uid: false))
        #expect(
            try parseKind("A284 UID SEARCH RETURN (MIN MAX ALL) UID $")
                == .search(IMAPSearchCommand(returnOptions: [.min, .max, .all], key: .uid(.lastResult)), uid: true))
        #expect(try parseKind("C01 UID COPY $ \"other\"") == .copy(.lastResult, mailbox("other"), uid: true))
        #expect(parseError("A SEARCH RETURN (FOO) ALL") != nil)
    }

    @Test("LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154)")
    func listExtended() throws {
        func list(_ text: String) throws -> IMAPListCommand {
            guard case .list(let command) = try parseKind(text) else {
                throw IMAPParseError(tag: nil, reason: "not LIST")
            }
            return command
        }
        #expect(
            try list("A02 LIST (SUBSCRIBED) \"\" \"*\"")
                == IMAPListCommand(
                    reference: mailbox(""), patterns: [mailbox("*")], selectOptions: [.subscribed], isExtended: true))
        #expect(
            try list("A03 LIST () \"\" \"%\" RETURN (CHILDREN)")
                == IMAPListCommand(
                    reference: mailbox(""), patterns: [mailbox("%")], returnOptions: [.children], isExtended: true))
        #expect(try list("A05 LIST (REMOTE SUBSCRIBED) \"/\" \"*\"").selectOptions == [.remote, .subscribed])
        #expect(
            try list("C04 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\"").selectOptions == [.subscribed, .recursiveMatch])
        #expect(try list("A01 LIST \"\" (\"foo\" \"foo/*\")").patterns == [mailbox("foo"), mailbox("foo/*")])
        #expect(
            try list("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))").returnOptions == [
                .status([.messages, .unseen])
            ])
        #expect(try list("t1 LIST (SPECIAL-USE) \"\" \"*\"").selectOptions == [.specialUse])
        #expect(
            try list("t1 LIST \"\" \"%\" RETURN (SPECIAL-USE SUBSCRIBED)").returnOptions == [.specialUse, .subscribed])
        #expect(try list("t1 LIST \"\" foo]bar").patterns == [mailbox("foo]bar")])
        #expect(parseError("t1 LIST (RECURSIVEMATCH) \"\" %") != nil)
        #expect(
            try parseKind("t1 CREATE MySpecial (USE (\\Drafts \\Sent))")
                == .create(mailbox("MySpecial"), specialUse: ["\\Drafts", "\\Sent"]))
        #expect(parseError("t1 CREATE x (FOO (\\Drafts))") != nil)
    }

    @Test("STATUS=SIZE (RFC 8438), APPENDLIMIT (RFC 7889), CONDSTORE STATUS")
    func status() throws {
        #expect(
            try parseKind("a STATUS INBOX (MESSAGES SIZE HIGHESTMODSEQ APPENDLIMIT DELETED UNSEEN UIDVALIDITY RECENT)")
                == .status(
                    mailbox("INBOX"),
                    [.messages, .size, .highestModSeq, .appendLimit, .deleted, .unseen, .uidValidity, .recent]))
        #expect(parseError("a STATUS INBOX ()") != nil)
        #expect(parseError("a STATUS INBOX (BOGUS)") != nil)
    }

    @Test("BINARY (RFC 3516), UNSELECT (RFC 3691), MOVE (RFC 6851), UIDPLUS (RFC 4315)")
    func binaryMove() throws {
        #expect(
            try parseKind("t1 FETCH 1 (BINARY.SIZE[1])")
                == .fetch(set(1...1), [.binarySize(part: [1])], IMAPFetchModifiers(), uid: false))
        #expect(
            try parseKind("t2 FETCH 1 BINARY[1.2]<0.4096>")
                == .fetch(
                    set(1...1), [.binary(part: [1, 2], partial: IMAPPartial(offset: 0, length: 4096), peek: false)],
                    IMAPFetchModifiers(), uid: false))
        #expect(try parseKind("a MOVE 1:3 Trash") == .move(set(1...3), mailbox("Trash"), uid: false))
        #expect(try parseKind("a UID EXPUNGE 3000:3002,3004") == .uidExpunge(set(3000...3002, 3004...3004)))
        #expect(parseError("a UID NOOP") != nil)
    }

    @Test("QUOTA (RFC 9208)")
    func quota() throws {
        #expect(try parseKind("G0001 GETQUOTA \"!partition/sda4\"") == .getQuota(root: bytes("!partition/sda4")))
        #expect(try parseKind("A003 GETQUOTAROOT INBOX") == .getQuotaRoot(mailbox("INBOX")))
        #expect(
            try parseKind("S0000 SETQUOTA \"#user/alice\" (STORAGE 510)")
                == .setQuota(root: bytes("#user/alice"), [IMAPQuotaLimit(resource: "STORAGE", limit: 510)]))
        #expect(try parseKind("S0001 SETQUOTA \"\" ()") == .setQuota(root: [], []))
    }

    @Test("UTF8=ACCEPT (RFC 6855): 8-bit quoted mailbox names only when enabled")
    func utf8Accept() throws {
        #expect(try parseKind("a ENABLE UTF8=ACCEPT") == .enable(["UTF8=ACCEPT"]))
        #expect(
            try parseKind("a SELECT \"Entwürfe\"", utf8: true) == .select(mailbox("Entwürfe"), IMAPSelectParameters()))
        #expect(parseError("a SELECT \"Entwürfe\"") != nil)
        #expect(try parseKind("a SELECT Entw&APw-rfe") == .select(mailbox("Entw&APw-rfe"), IMAPSelectParameters()))
        #expect(mailbox("Entw&APw-rfe").decoded(utf8: false) == "Entwürfe")
        #expect(mailbox("inBoX").isInbox && mailbox("inbox").decoded(utf8: true) == "INBOX")
        #expect(!mailbox("INBOX2").isInbox)
    }
}
