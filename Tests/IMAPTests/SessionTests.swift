import Core
import Testing

@testable import IMAP

@Suite("Session: commands against an in-memory store, without sockets or a database")
struct SessionTests {
    @Test("login needs TLS unless allowed: LOGINDISABLED and NO [PRIVACYREQUIRED]")
    func loginDisabled() async throws {
        let store = MemoryMailStore()
        try await store.addAccount(id: 1, address: SessionDriver.address, password: SessionDriver.password)
        let d = SessionDriver(
            store: store, configuration: IMAPConfiguration(hostname: "h", startTLSAvailable: true, allowPlaintextAuth: false),
            isTLS: false)
        await d.perform(d.session.start())
        let greeting = d.takeLines()
        #expect(greeting[0].contains("STARTTLS") && greeting[0].contains("LOGINDISABLED") && !greeting[0].contains("AUTH="))
        let refused = await d.command("a LOGIN \(SessionDriver.address) \"\(SessionDriver.password)\"")
        #expect(refused.last == "a NO [PRIVACYREQUIRED] LOGIN is disabled until TLS is started")
        #expect(await d.command("b STARTTLS").last == "b OK Begin TLS negotiation now")
        #expect(d.tlsStarted)
        await d.tlsEstablished()
        let caps = await d.command("c CAPABILITY")
        #expect(caps[0].contains("AUTH=PLAIN") && !caps[0].contains("STARTTLS"))
        _ = await d.command("d LOGOUT")
        #expect(d.closed)
    }

    @Test("SELECT reports FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and READ-WRITE")
    func select() async throws {
        let d = try await SessionDriver.make()
        let first = try await d.store.deliver("Subject: one\r\n\r\nbody\r\n")
        try await d.store.deliver("Subject: two\r\n\r\nbody\r\n")
        let lines = await d.command("s SELECT INBOX")
        #expect(lines.contains("* 2 EXISTS"))
        #expect(lines.contains("* 2 RECENT"))
        #expect(lines.contains("* OK [UIDVALIDITY \(first.uidValidity)] UIDs valid"))
        #expect(lines.contains("* OK [UIDNEXT 3] Predicted next UID"))
        #expect(lines.contains { $0.hasPrefix("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)") })
        #expect(lines.contains { $0.hasPrefix("* OK [HIGHESTMODSEQ ") })
        #expect(lines.last == "s OK [READ-WRITE] SELECT completed")
        let missing = await d.command("m SELECT Nowhere")
        #expect(missing.last == "m NO [NONEXISTENT] No such mailbox")
        // The failed SELECT left the selected state (RFC 9051 §6.3.2).
        #expect(await d.command("f FETCH 1 FLAGS").last?.hasPrefix("f BAD") == true)
    }

    @Test("two sessions: flags propagate at NOOP; an expunge waits out FETCH, STORE and SEARCH")
    func twoSessions() async throws {
        let a = try await SessionDriver.make()
        for i in 1...3 { try await a.store.deliver("Subject: \(i)\r\n\r\nbody \(i)\r\n") }
        let b = try await SessionDriver.make(store: a.store)
        _ = await a.command("a1 SELECT INBOX")
        _ = await b.command("b1 SELECT INBOX")

        // A selected first, so it alone sees the messages as \Recent (RFC 3501 §2.3.2).
        #expect(await a.command("a2 STORE 1 +FLAGS (\\Flagged)").contains("* 1 FETCH (FLAGS (\\Flagged \\Recent))"))
        #expect(await b.command("b2 NOOP").contains("* 1 FETCH (FLAGS (\\Flagged))"))

        _ = await a.command("a3 STORE 2 +FLAGS.SILENT (\\Deleted)")
        #expect(await a.command("a4 EXPUNGE").contains("* 2 EXPUNGE"))
        for command in ["b3 FETCH 1:* FLAGS", "b4 STORE 3 +FLAGS (\\Seen)", "b5 SEARCH ALL"] {
            let lines = await b.command(command)
            #expect(!lines.contains { $0.hasSuffix(" EXPUNGE") }, "\(command): \(lines)")
            #expect(lines.last?.contains(" OK ") == true, "\(command): \(lines)")
        }
        #expect(await b.command("b6 NOOP").contains("* 2 EXPUNGE"))
        #expect(await b.command("b7 UID SEARCH ALL").contains("* SEARCH 1 3"))
    }

    @Test("COPY answers COPYUID; MOVE sends COPYUID, then EXPUNGE, then OK; TRYCREATE for a missing mailbox")
    func copyMove() async throws {
        let d = try await SessionDriver.make()
        for i in 1...3 { try await d.store.deliver("Subject: \(i)\r\n\r\nbody\r\n") }
        let archive = try #require(await d.store.mailbox(accountID: 1, name: "Archive"))
        _ = await d.command("s SELECT INBOX")
        #expect(await d.command("c COPY 1:2 Archive").last == "c OK [COPYUID \(archive.uidValidity) 1:2 1:2] COPY completed")
        let moved = await d.command("m UID MOVE 3 Archive")
        #expect(moved == ["* OK [COPYUID \(archive.uidValidity) 3 3] Moved", "* 3 EXPUNGE", "m OK UID MOVE completed"])
        #expect(await d.command("n COPY 1 Nowhere").last == "n NO [TRYCREATE] No such mailbox")
        #expect(await d.store.states(mailboxID: archive.id)?.index.uids == [1, 2, 3])
    }

    @Test("APPEND answers APPENDUID; a missing mailbox is TRYCREATE before an empty message is refused")
    func append() async throws {
        let d = try await SessionDriver.make()
        _ = await d.command("s SELECT INBOX")
        let appended = await d.command("a APPEND INBOX (\\Seen) {15+}\r\nSubject: hi\r\n\r\n")
        let inbox = try #require(await d.store.mailbox(accountID: 1, name: "INBOX"))
        #expect(appended == ["* 1 EXISTS", "* 1 RECENT", "a OK [APPENDUID \(inbox.uidValidity) 1] APPEND completed"])
        // A refused message is checked against the mailbox first: TRYCREATE wins, as before any store.
        #expect(await d.command("b APPEND Nowhere (\\Bogus) {2+}\r\nhi") == ["b NO [TRYCREATE] No such mailbox"])
        #expect(await d.command("c APPEND INBOX (\\Bogus) {2+}\r\nhi") == ["c BAD Invalid flag \\Bogus"])
        #expect(await d.store.states(mailboxID: inbox.id)?.index.count == 1)
    }

    @Test("CREATE makes parents; RENAME takes children; DELETE refuses inferiors and deselects")
    func mailboxTree() async throws {
        let d = try await SessionDriver.make()
        #expect(await d.command("c CREATE a/b/c").last == "c OK CREATE completed")
        #expect(await d.store.mailbox(accountID: 1, name: "a/b") != nil)
        #expect(await d.command("c2 CREATE a/b").last == "c2 NO [ALREADYEXISTS] Mailbox already exists")
        #expect(await d.command("r RENAME a x").last == "r OK RENAME completed")
        #expect(await d.store.mailbox(accountID: 1, name: "x/b/c") != nil)
        #expect(await d.command("r2 RENAME x/b/c q/r/s").last == "r2 OK RENAME completed")
        #expect(await d.store.mailbox(accountID: 1, name: "q/r") != nil)
        #expect(await d.command("r3 RENAME q/r/s x/b/c").last == "r3 OK RENAME completed")
        #expect(await d.command("d DELETE x").last == "d NO [HASCHILDREN] Mailbox has inferior mailboxes; delete them first")
        _ = await d.command("s SELECT x/b/c")
        #expect(await d.command("d2 DELETE x/b/c").last == "d2 OK DELETE completed")
        #expect(await d.command("f FETCH 1 FLAGS").last == "f BAD No mailbox selected for this command")
        #expect(await d.command("d3 DELETE x/b/c").last == "d3 NO [NONEXISTENT] No such mailbox")
    }
}
