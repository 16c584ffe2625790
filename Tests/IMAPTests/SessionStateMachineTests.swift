import Core
import Testing

@testable import IMAP

@Suite("Session: the sans-I/O state machine (effects, queued input, IDLE, STARTTLS, time, shutdown)")
struct SessionStateMachineTests {
    @Test("input arriving while an effect runs waits; its command runs after the first is answered")
    func pipelinedDuringEffect() async throws {
        let d = try await SessionDriver.make()
        try await d.store.deliver("Subject: one\r\n\r\nbody\r\n")
        await d.receive(.frame(Array("s SELECT INBOX".utf8)))
        #expect(d.pending == .snapshot(accountID: 1, name: "INBOX"))
        #expect(d.session.isBusy)
        // Pipelined while the snapshot is read: nothing is answered, nothing else is asked.
        await d.receive(.frame(Array("n NOOP".utf8)))
        await d.receive(.frame(Array("c CAPABILITY".utf8)))
        #expect(d.takeLines().isEmpty)
        #expect(d.effects.count == 1 + 1)  // the login, then the snapshot
        await d.pump()
        let lines = d.takeLines()
        let selected = try #require(lines.firstIndex(of: "s OK [READ-WRITE] SELECT completed"))
        let noop = try #require(lines.firstIndex(of: "n OK NOOP completed"))
        let capability = try #require(lines.firstIndex(of: "c OK CAPABILITY completed"))
        #expect(selected < noop && noop < capability)
    }

    @Test("SELECT claims \\Recent only when the snapshot has recent messages; UNSEEN and FLAGS come from the index")
    func selectClaimsOnlyWhatIsRecent() async throws {
        let d = try await SessionDriver.make()
        try await d.store.deliver("Subject: one\r\n\r\nbody\r\n", flags: ["\\Seen", "Work"])
        try await d.store.deliver("Subject: two\r\n\r\nbody\r\n")
        let first = await d.command("a SELECT INBOX")
        #expect(first.contains("* 2 RECENT") && first.contains("* OK [UNSEEN 2] First unseen"))
        #expect(first.contains("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft Work)"))
        #expect(d.effects.contains { if case .claimRecent = $0 { true } else { false } })
        let before = d.effects.count
        let second = await d.command("b SELECT INBOX")
        #expect(second.contains("* 0 RECENT") && second.contains("* 2 EXISTS") && second.contains("* OK [UNSEEN 2] First unseen"))
        #expect(d.effects.count == before + 1)  // the snapshot alone
    }

    @Test("an effect is always the last action of a batch")
    func effectLast() async throws {
        var session = IMAPSession(
            configuration: IMAPConfiguration(hostname: "h", startTLSAvailable: false, allowPlaintextAuth: true), isTLS: false)
        _ = session.start()
        let actions = session.receive(.frame(Array("a LOGIN alice secret".utf8)))
        #expect(actions == [.effect(.login(user: "alice", password: "secret", mechanism: "LOGIN"))])
        #expect(session.receive(.frame(Array("b NOOP".utf8))).isEmpty)
        let resumed = session.resume(.login(.invalidCredentials))
        #expect(resumed == [.send(Array("a NO [AUTHENTICATIONFAILED] Invalid credentials\r\nb OK NOOP completed\r\n".utf8))])
    }

    @Test("IDLE: watch, a change pushed as EXISTS with RECENT, DONE ends it and unwatches")
    func idleChangeThenDone() async throws {
        let d = try await SessionDriver.make()
        _ = await d.command("s SELECT INBOX")
        await d.client("i IDLE\r\n")
        #expect(d.takeLines() == ["+ idling"])
        let inbox = try #require(await d.store.mailbox(accountID: 1, name: "INBOX"))
        #expect(d.watching == inbox.id)
        try await d.store.deliver("Subject: new\r\n\r\nhello\r\n")
        await d.notify(mailboxID: inbox.id)
        #expect(d.takeLines() == ["* 1 EXISTS", "* 1 RECENT"])
        // A change while the pushed synchronisation still runs is looked at once it completes.
        try await d.store.deliver("Subject: newer\r\n\r\nhello\r\n")
        await d.perform(d.session.mailboxChanged())
        #expect(d.pending == .changes(mailboxID: inbox.id, since: 2))
        await d.answerPending()
        #expect(d.pending == .claimRecent(mailboxID: inbox.id, upTo: 3))
        try await d.store.deliver("Subject: newest\r\n\r\nhello\r\n")
        await d.perform(d.session.mailboxChanged())
        await d.pump()
        #expect(d.takeLines() == ["* 2 EXISTS", "* 2 RECENT", "* 3 EXISTS", "* 3 RECENT"])
        #expect(await d.command("DONE") == ["i OK IDLE terminated"])
        #expect(d.watching == nil)
        #expect(await d.command("n NOOP") == ["n OK NOOP completed"])
    }

    @Test("STARTTLS: input pipelined after it is never executed, before or after the handshake")
    func startTLSDiscardsPlaintext() async throws {
        let store = MemoryMailStore()
        try await store.addAccount(id: 1, address: SessionDriver.address, password: SessionDriver.password)
        let d = SessionDriver(
            store: store, configuration: IMAPConfiguration(hostname: "h", startTLSAvailable: true, allowPlaintextAuth: false),
            isTLS: false)
        await d.start()
        await d.client("a STARTTLS\r\nb LOGIN \(SessionDriver.address) \"\(SessionDriver.password)\"\r\n")
        #expect(d.takeLines() == ["a OK Begin TLS negotiation now"])
        // Bytes the adapter had already framed reach the session before the handshake: dropped.
        await d.receive(.frame(Array("c LOGIN \(SessionDriver.address) \"\(SessionDriver.password)\"".utf8)))
        #expect(d.takeLines().isEmpty && d.pending == nil && d.loggedIn == nil)
        await d.tlsEstablished()
        #expect(d.takeLines().isEmpty && d.loggedIn == nil)
        let login = await d.command("d LOGIN \(SessionDriver.address) \"\(SessionDriver.password)\"")
        #expect(login.last?.hasPrefix("d OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE ") == true)
        #expect(d.loggedIn?.address == SessionDriver.address)
    }

    @Test("autologout from the time passed in: a minute before login, 30 minutes after (RFC 9051 §5.4)")
    func autologout() async throws {
        let anonymous = try await SessionDriver.make(loggedIn: false)
        #expect(anonymous.session.timeout(idleFor: .seconds(59)).isEmpty)
        await anonymous.perform(anonymous.session.timeout(idleFor: .seconds(60)))
        #expect(anonymous.takeLines() == ["* BYE Autologout; idle for too long"] && anonymous.closed)

        let d = try await SessionDriver.make()
        #expect(d.session.timeout(idleFor: .seconds(29 * 60)).isEmpty)
        await d.perform(d.session.timeout(idleFor: .seconds(30 * 60)))
        #expect(d.takeLines() == ["* BYE Autologout; idle for too long"] && d.closed)

        let sasl = try await SessionDriver.make(loggedIn: false)
        await sasl.client("x AUTHENTICATE PLAIN\r\n")
        #expect(sasl.takeLines() == ["+ "])
        // Waiting for a SASL response, any timeout ends the connection.
        await sasl.perform(sasl.session.timeout(idleFor: .seconds(1)))
        #expect(sasl.takeLines() == ["* BYE imap.example.org closing the connection"] && sasl.closed)
    }

    @Test(
        "shutdown and revocation during an effect wait for it, then say BYE; queued input is dropped", arguments: [false, true])
    func goodbyeDuringEffect(revoked: Bool) async throws {
        let d = try await SessionDriver.make()
        await d.receive(.frame(Array("s SELECT INBOX".utf8)))
        await d.receive(.frame(Array("n NOOP".utf8)))
        #expect(d.pending != nil)
        #expect((revoked ? d.session.revoked() : d.session.shutdown()).isEmpty)
        #expect(d.session.timeout(idleFor: .seconds(3600)).isEmpty)  // busy: no autologout
        await d.pump()
        let lines = d.takeLines()
        let bye = revoked ? "* BYE Account disabled or credentials changed" : "* BYE imap.example.org server shutting down"
        #expect(lines.last == bye)
        #expect(lines.contains("s OK [READ-WRITE] SELECT completed") && !lines.contains("n OK NOOP completed"))
        #expect(d.closed && d.pending == nil)
    }

    @Test("a large FETCH or SEARCH loads its messages in batches bounded by count and bytes")
    func fetchInBatches() async throws {
        let d = try await SessionDriver.make()
        let big = String(repeating: "x", count: 600 * 1024)
        for i in 1...3 { try await d.store.deliver("Subject: \(i)\r\n\r\n\(big)\r\n") }
        for i in 4...300 { try await d.store.deliver("Subject: \(i)\r\n\r\nsmall\r\n") }
        _ = await d.command("s SELECT INBOX")
        let lines = await d.command("f FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.SIZE)")
        #expect(lines.filter { $0.contains(" FETCH (") }.count == 300)
        #expect(lines.last == "f OK FETCH completed")
        let loads = d.effects.compactMap { effect -> [UInt32]? in
            contentLoad(effect)?.uids
        }
        // Header-only content: 300 messages in two batches of at most 256 UIDs.
        #expect(loads.map(\.count) == [256, 44])
        let full = await d.command("g FETCH 1:3 BODY.PEEK[]")
        #expect(full.last == "g OK FETCH completed")
        let fullLoads = d.effects.compactMap { effect -> [UInt32]? in
            contentLoad(effect).flatMap { $0.need == .full ? $0.uids : nil }
        }
        // 600 KiB each against a 1 MiB budget: two messages, then the third.
        #expect(fullLoads == [[1, 2, 3], [3]])
        // SEARCH BODY evaluates content in one effect per batch (all 300 fit in one).
        let before = d.effects.count
        #expect(await d.command("h SEARCH BODY absent") == ["* SEARCH", "h OK SEARCH completed"])
        let searches = d.effects[before...].compactMap { effect -> [UInt32]? in
            if case .searchContent(let search) = effect { search.uids } else { nil }
        }
        #expect(searches == [Array(1...300)])
    }

    @Test("a SEARCH of a large mailbox goes in batches of 1024 messages: index rows, then content")
    func searchInBatches() async throws {
        let d = try await SessionDriver.make()
        for i in 1...1100 { try await d.store.deliver("Subject: \(i)\r\n\r\n\(i % 7 == 0 ? "seven" : "other")\r\n") }
        _ = await d.command("s SELECT INBOX")
        let lines = await d.command("h UID SEARCH BODY seven")
        let sevens: [String] = (1...1100).filter { $0 % 7 == 0 }.map { String($0) }
        let expected = "* SEARCH " + sevens.joined(separator: " ")
        #expect(lines.first == expected)
        let shapes = d.effects.compactMap { effect -> String? in
            switch effect {
            case .loadMessages(_, let uids, .none, _): "rows \(uids.count)"
            case .searchContent(let search): "content \(search.uids.count)"
            default: nil
            }
        }
        #expect(shapes == ["rows 1024", "content 1024", "rows 76", "content 76"])
    }

    @Test("SEARCH reads files only for messages the index cannot decide; an unreadable file does not match")
    func searchLoadsContentLazily() async throws {
        let d = try await SessionDriver.make()
        try await d.store.deliver("Subject: apple\r\n\r\nred fruit\r\n", flags: ["\\Seen"])
        try await d.store.deliver("Subject: pear\r\n\r\nred fruit\r\n")
        try await d.store.deliver("Subject: plum\r\n\r\nred fruit\r\n")
        await d.store.makeUnreadable(3)
        _ = await d.command("s SELECT INBOX")
        #expect(await d.command("a SEARCH UNSEEN BODY red") == ["* SEARCH 2", "a OK SEARCH completed"])
        let searches = d.effects.compactMap { effect -> [UInt32]? in
            if case .searchContent(let search) = effect { search.uids } else { nil }
        }
        #expect(searches == [[2, 3]])
        #expect(await d.store.reads == ["full 2", "full 3"])
        #expect(await d.command("b SEARCH NOT SUBJECT pear") == ["* SEARCH 1 3", "b OK SEARCH completed"])
    }

    /// `FROM x BODY y`: headers are read first; whole files only of messages whose header matched.
    @Test func searchTriesHeaderKeysOnHeadersFirst() async throws {
        let d = try await SessionDriver.make()
        try await d.store.deliver("From: alice@example.org\r\nSubject: 1\r\n\r\nred fruit\r\n")
        try await d.store.deliver("From: bob@example.org\r\nSubject: 2\r\n\r\nred fruit\r\n")
        try await d.store.deliver("From: alice@example.org\r\nSubject: 3\r\n\r\nblue fruit\r\n")
        _ = await d.command("s SELECT INBOX")
        #expect(await d.command("a SEARCH FROM alice BODY red") == ["* SEARCH 1", "a OK SEARCH completed"])
        // Message 2's sender rules it out on the header alone: its file is never read whole.
        #expect(await d.store.reads == ["header 1", "full 1", "header 2", "header 3", "full 3"])
    }
}

/// The UIDs and content need of a FETCH load effect.
private func contentLoad(_ effect: IMAPEffect) -> (uids: [UInt32], need: IMAPContentNeed)? {
    if case .loadMessages(_, let uids, let need, _) = effect { (uids, need) } else { nil }
}
