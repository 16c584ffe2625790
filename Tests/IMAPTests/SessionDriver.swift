import Core
import Directory
import Foundation
import Logging
import NIOConcurrencyHelpers
import PostaTestSupport
import Store

@testable import IMAP

/// An in-memory `IMAPTransport`: the test feeds client bytes through the real framer and reads
/// what the session wrote, so sessions run without sockets.
final class MemoryTransport: IMAPTransport {
    private struct State {
        var framer = IMAPFramer()
        var inputs: [IMAPInput] = []
        var waiter: CheckedContinuation<IMAPInput, Never>?
        var output: [UInt8] = []
        var closed = false
        var tlsStarted = false
        var loggedIn = false
    }

    private let state = NIOLockedValueBox(State())

    /// Client bytes, framed as the NIO adapter frames them (continuation requests are dropped).
    func client(_ text: String) {
        let waiter: CheckedContinuation<IMAPInput, Never>? = state.withLockedValue { state in
            state.framer.append(Array(text.utf8))
            while let event = state.framer.next() {
                switch event {
                case .frame(let bytes): state.inputs.append(.frame(bytes))
                case .line(let bytes): state.inputs.append(.line(bytes))
                case .error(let error): state.inputs.append(.framingError(error))
                case .continuationRequest: break
                }
            }
            return Self.takeWaiter(&state)
        }
        resume(waiter)
    }

    func next() async -> IMAPInput {
        await withCheckedContinuation { continuation in
            let ready: (CheckedContinuation<IMAPInput, Never>, IMAPInput)? = state.withLockedValue { state in
                if !state.inputs.isEmpty { return (continuation, state.inputs.removeFirst()) }
                state.waiter = continuation
                return nil
            }
            if let (continuation, input) = ready { continuation.resume(returning: input) }
        }
    }

    func expectLine() async { state.withLockedValue { $0.framer.expectLine() } }

    func authenticated() async { state.withLockedValue { $0.loggedIn = true } }

    var isAuthenticated: Bool { state.withLockedValue { $0.loggedIn } }

    func send(_ bytes: [UInt8]) async throws { state.withLockedValue { $0.output += bytes } }

    func startTLS(after response: [UInt8]) async throws {
        state.withLockedValue {
            $0.output += response
            $0.tlsStarted = true
        }
    }

    func inject(_ input: IMAPInput) {
        let waiter: CheckedContinuation<IMAPInput, Never>? = state.withLockedValue { state in
            state.inputs.append(input)
            return Self.takeWaiter(&state)
        }
        resume(waiter)
    }

    func close() async { state.withLockedValue { $0.closed = true } }

    var isClosed: Bool { state.withLockedValue { $0.closed } }

    /// Everything written so far, as text, and forgets it.
    func takeOutput() -> String {
        state.withLockedValue { state in
            defer { state.output = [] }
            return String(decoding: state.output, as: UTF8.self)
        }
    }

    private static func takeWaiter(_ state: inout State) -> CheckedContinuation<IMAPInput, Never>? {
        guard state.waiter != nil, !state.inputs.isEmpty else { return nil }
        defer { state.waiter = nil }
        return state.waiter
    }

    private func resume(_ waiter: CheckedContinuation<IMAPInput, Never>?) {
        guard let waiter else { return }
        let input = state.withLockedValue { $0.inputs.removeFirst() }
        waiter.resume(returning: input)
    }
}

/// A store with one provisioned account and a running session on a `MemoryTransport`.
struct SessionFixture: Sendable {
    let store: MailStore
    let account: Account
    let backend: IMAPBackend

    static let password = "correct horse battery"

    static let logger: Logger = {
        var logger = Logger(label: "imap-test")
        logger.logLevel = .error
        return logger
    }()

    static func with(_ dialect: Database.Dialect, _ body: (SessionFixture) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let account = try await directory.addAccount(
                "alice@example.org", password: try StoredPassword("{PLAIN}" + password), quotaBytes: 0)
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger)
            try await store.provision(account: account)
            let authenticator = Authenticator(
                directory: directory, loginLog: LoginLog(database: db), throttle: LoginThrottle())
            let backend = IMAPBackend(authenticator: authenticator, store: store, logger: logger)
            try await body(SessionFixture(store: store, account: account, backend: backend))
        }
    }

    /// Starts a session (already past TLS) and returns its transport; the greeting is consumed.
    func session(loggedIn: Bool = true) async throws -> (MemoryTransport, Task<Void, Never>) {
        let transport = MemoryTransport()
        let session = IMAPSession(
            transport: transport, backend: backend,
            configuration: IMAPConfiguration(hostname: "imap.example.org", startTLSAvailable: false, allowPlaintextAuth: false),
            clientIP: "192.0.2.1", isTLS: true, logger: Self.logger)
        let task = Task { await session.run() }
        _ = try await transport.reply(until: "* OK")
        if loggedIn { _ = try await transport.command("L1 LOGIN alice@example.org \"\(Self.password)\"") }
        return (transport, task)
    }

    func deliver(_ text: String, mailbox: String = "INBOX") async throws -> AppendResult {
        try await store.append(accountID: account.id, mailbox: mailbox, data: Array(text.utf8))
    }
}

extension MemoryTransport {
    /// Sends one command line and waits for its tagged reply; returns every line written meanwhile.
    func command(_ line: String) async throws -> [String] {
        let tag = String(line.prefix { $0 != " " })
        client(line + "\r\n")
        return try await reply(until: tag + " ")
    }

    /// Waits (up to 5 s) until a line starting with `prefix` has been written; returns all lines so far.
    func reply(until prefix: String, timeout: Duration = .seconds(5)) async throws -> [String] {
        var lines: [String] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = takeOutput()
            if !text.isEmpty {
                lines += text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                if lines.contains(where: { $0.hasPrefix(prefix) }) { return lines }
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw DriverTimeout(waitingFor: prefix, got: lines)
    }
}

struct DriverTimeout: Error, CustomStringConvertible {
    var waitingFor: String
    var got: [String]
    var description: String { "no line starting with \(waitingFor.debugDescription); got \(got)" }
}
