import Core

@testable import IMAP

/// Drives an `IMAPSession` as the NIO adapter does, without sockets or a database: client bytes go
/// through the real `IMAPFramer` one command at a time, effects run against a `MemoryMailStore`
/// and their results are fed back, actions are recorded.
final class SessionDriver {
    var session: IMAPSession
    let store: MemoryMailStore
    private var framer = IMAPFramer()
    private var output: [UInt8] = []
    /// The effect asked for and not yet answered (tests may hold it to send input meanwhile).
    private(set) var pending: IMAPEffect?
    private(set) var closed = false
    private(set) var tlsStarted = false
    private(set) var loggedIn: IMAPAccount?
    private(set) var watching: Int64?
    /// Effects in the order asked.
    private(set) var effects: [IMAPEffect] = []

    static let password = "correct horse battery"
    static let address = "alice@example.org"

    init(store: MemoryMailStore, configuration: IMAPConfiguration? = nil, isTLS: Bool = true) {
        self.store = store
        session = IMAPSession(
            configuration: configuration
                ?? IMAPConfiguration(hostname: "imap.example.org", startTLSAvailable: false, allowPlaintextAuth: false),
            isTLS: isTLS)
    }

    /// A store with alice's account and a driver past the greeting (and the login when `loggedIn`).
    static func make(loggedIn: Bool = true, store: MemoryMailStore? = nil) async throws -> SessionDriver {
        let store = store ?? MemoryMailStore()
        if await store.mailboxes(accountID: 1).isEmpty {
            try await store.addAccount(id: 1, address: address, password: password)
        }
        let driver = SessionDriver(store: store)
        await driver.start()
        if loggedIn { _ = await driver.command("L1 LOGIN \(address) \"\(password)\"") }
        return driver
    }

    func start() async {
        await perform(session.start())
        _ = takeLines()
    }

    /// Client bytes; returns once the session waits for more input (every effect answered).
    func client(_ text: String) async {
        framer.append(Array(text.utf8))
        await pump()
    }

    /// Sends one command line and returns every line written meanwhile.
    func command(_ line: String) async -> [String] {
        await client(line + "\r\n")
        return takeLines()
    }

    /// Feeds framed input while the session is free, running each effect it asks for.
    func pump() async {
        while !closed {
            if let effect = pending {
                pending = nil
                await perform(session.resume(await store.run(effect)))
                continue
            }
            guard !tlsStarted || session.isTLS, let event = framer.next() else { return }
            switch event {
            case .frame(let bytes): await perform(session.receive(.frame(bytes)))
            case .line(let bytes): await perform(session.receive(.line(bytes)))
            case .error(let error): await perform(session.receive(.framingError(error)))
            case .continuationRequest: break
            }
        }
    }

    /// Feeds input straight to the session, even while an effect is pending (as a client's
    /// pipelined bytes already read would be).
    func receive(_ input: IMAPInput) async { await perform(session.receive(input)) }

    /// Answers the pending effect alone, without feeding more input.
    func answerPending() async {
        guard let effect = pending else { return }
        pending = nil
        await perform(session.resume(await store.run(effect)))
    }

    func perform(_ actions: [IMAPAction]) async {
        for action in actions {
            switch action {
            case .send(let bytes): output += bytes
            case .expectLine: framer.expectLine()
            case .authenticated(let account): loggedIn = account
            case .watch(let mailboxID): watching = mailboxID
            case .unwatch: watching = nil
            case .startTLS:
                tlsStarted = true
                framer = IMAPFramer()  // what the client pipelined is dropped (RFC 2595 §3.1)
            case .effect(let effect):
                precondition(pending == nil && action == actions.last, "an effect is the last action of a batch")
                effects.append(effect)
                pending = effect
            case .close: closed = true
            }
        }
    }

    /// The TLS handshake completed.
    func tlsEstablished() async {
        await perform(session.tlsEstablished())
        await pump()
    }

    /// The store changed a mailbox: tell the session if it watches it, as the notifier would.
    func notify(mailboxID: Int64) async {
        guard watching == mailboxID else { return }
        await perform(session.mailboxChanged())
        await pump()
    }

    /// Everything written so far, as lines, and forgets it.
    func takeLines() -> [String] {
        defer { output = [] }
        return String(decoding: output, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
    }
}
