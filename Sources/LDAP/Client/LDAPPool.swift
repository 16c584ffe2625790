import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded set of connections to one directory, shared by every request: idle connections are
/// reused, at most `maximumConnections` are open, and the servers are tried in order (failover),
/// passing over one that failed for `retryAfter`. While every server is passed over, requests
/// fail at once (no connect timeout paid per request during an outage); a request waits for a
/// connection at most the request timeout; an idle connection older than `maximumIdle` is
/// closed rather than reused (a firewall may have dropped it silently).
///
/// With `serviceBind`, each new connection binds as the service account; without, connections
/// stay anonymous until a caller binds (user logins by bind).
public final class LDAPPool: Sendable {
    public let settings: LDAPServerSettings
    public let maximumConnections: Int
    /// Idle connections older than this are closed instead of reused.
    public let maximumIdle: Duration
    private let serviceBind: Bool
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var idle: [(connection: LDAPConnection, since: ContinuousClock.Instant)] = []
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextWaiter = 0
        /// When each URL (by index) may be tried again after a failure.
        var downUntil: [Int: ContinuousClock.Instant] = [:]
        var closed = false
    }

    public init(
        settings: LDAPServerSettings, serviceBind: Bool, maximumConnections: Int = 4, maximumIdle: Duration = .seconds(120),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "posta.ldap")
    ) {
        self.settings = settings
        self.serviceBind = serviceBind
        self.maximumConnections = max(1, maximumConnections)
        self.maximumIdle = maximumIdle
        self.group = group
        self.logger = logger
    }

    /// Runs `body` on a pooled connection. When `retry` and a reused connection turns out to be
    /// closed (the server restarted while it was idle), `body` runs once more on a fresh one; never
    /// after a timeout (the server may have acted on it), and callers whose requests must not
    /// run twice (binds count towards lockout, password changes) pass `retry: false`.
    public func withConnection<T: Sendable>(retry: Bool = true, _ body: (LDAPConnection) async throws -> T) async throws
        -> T
    {
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try await acquire()
            do {
                let value = try await body(connection)
                release(connection, healthy: true)
                return value
            } catch let error as LDAPClientError where error.breaksConnection {
                release(connection, healthy: false)
                if retry, reused, attempt == 1, case .connectionClosed = error { continue }
                throw error
            } catch {
                release(connection, healthy: connection.isActive)
                throw error
            }
        }
    }

    /// Closes every idle connection; connections in use close when released.
    public func shutdown() {
        let idle = state.withLockedValue { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle.map(\.connection)
        }
        for connection in idle { connection.close() }
    }

    private func acquire() async throws -> (LDAPConnection, reused: Bool) {
        let deadline = ContinuousClock.now + settings.requestTimeout
        while true {
            enum Step {
                case reuse(LDAPConnection)
                case open, wait
            }
            var stale: [LDAPConnection] = []
            let step: Step = state.withLockedValue { state in
                let now = ContinuousClock.now
                while let (connection, since) = state.idle.popLast() {
                    if connection.isActive && now - since < maximumIdle { return .reuse(connection) }
                    state.open -= 1
                    stale.append(connection)
                }
                if state.open < maximumConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            for connection in stale { connection.close() }
            switch step {
            case .reuse(let connection):
                return (connection, true)
            case .open:
                do {
                    return (try await openConnection(), false)
                } catch {
                    state.withLockedValue { $0.open -= 1 }
                    wakeOne()
                    throw error
                }
            case .wait:
                guard try await waitForConnection(until: deadline) else {
                    throw LDAPClientError.unavailable("every connection to the directory is busy")
                }
            }
        }
    }

    /// Waits until a connection may be free; false when `deadline` passed first.
    private func waitForConnection(until deadline: ContinuousClock.Instant) async throws -> Bool {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return false }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let id: Int? = state.withLockedValue { state in
                if !state.idle.isEmpty || state.open < maximumConnections { return nil }
                state.nextWaiter += 1
                state.waiters.append((state.nextWaiter, continuation))
                return state.nextWaiter
            }
            guard let id else { return continuation.resume(returning: true) }
            group.any().scheduleTask(in: TimeAmount(remaining)) { [state] in
                let expired = state.withLockedValue { state in
                    state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
                }
                expired?.resume(returning: false)
            }
        }
    }

    private func release(_ connection: LDAPConnection, healthy: Bool) {
        let keep = state.withLockedValue { state in
            if healthy && connection.isActive && !state.closed {
                state.idle.append((connection, ContinuousClock.now))
                return true
            }
            state.open -= 1
            return false
        }
        if !keep { connection.close() }
        wakeOne()
    }

    private func wakeOne() {
        let waiter = state.withLockedValue { state in state.waiters.isEmpty ? nil : state.waiters.removeFirst() }
        waiter?.continuation.resume(returning: true)
    }

    /// Connects to the first server that answers and accepts the service bind, passing over those
    /// that failed within `retryAfter`; when all of them did, fails at once.
    private func openConnection() async throws -> LDAPConnection {
        let now = ContinuousClock.now
        let downUntil = state.withLockedValue { $0.downUntil }
        let order = settings.urls.indices.filter { (downUntil[$0] ?? now) <= now }
        guard !order.isEmpty else {
            throw LDAPClientError.unavailable("no directory server answered in the last \(settings.retryAfter)")
        }
        var lastError: any Error = LDAPClientError.unavailable("no server configured")
        for index in order {
            let url = settings.urls[index]
            do {
                let connection = try await LDAPConnection.connect(to: url, settings: settings, group: group)
                do {
                    if serviceBind { try await bindAsService(connection) }
                } catch {
                    connection.close()
                    throw error
                }
                state.withLockedValue { $0.downUntil[index] = nil }
                return connection
            } catch {
                // A refused service bind too: one replica may lack the account the others have.
                logger.warning("LDAP server unusable", metadata: ["url": "\(url)", "error": "\(error)"])
                state.withLockedValue { $0.downUntil[index] = ContinuousClock.now + settings.retryAfter }
                lastError = error
            }
        }
        if let error = lastError as? LDAPClientError, case .unavailable = error { throw error }
        throw LDAPClientError.unavailable("\(lastError)")
    }

    private func bindAsService(_ connection: LDAPConnection) async throws {
        guard let dn = settings.bindDN else { return }
        let response = try await connection.bind(dn: dn, password: Array(settings.bindPassword.utf8))
        guard response.result.code == .success else { throw LDAPClientError.result(response.result) }
    }
}
