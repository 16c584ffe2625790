import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bounded set of connections to one directory, shared by every request: idle connections are
/// reused, at most `maximumConnections` are open, and the servers are tried in order (failover),
/// passing over one that failed for `retryAfter`.
///
/// With `serviceBind`, each new connection binds as the service account; without, connections
/// stay anonymous until a caller binds (user logins by bind).
public final class LDAPPool: Sendable {
    public let settings: LDAPServerSettings
    public let maximumConnections: Int
    private let serviceBind: Bool
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var idle: [LDAPConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// When each URL (by index) may be tried again after a failure.
        var downUntil: [Int: ContinuousClock.Instant] = [:]
        var closed = false
    }

    public init(
        settings: LDAPServerSettings, serviceBind: Bool, maximumConnections: Int = 4,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "posta.ldap")
    ) {
        self.settings = settings
        self.serviceBind = serviceBind
        self.maximumConnections = max(1, maximumConnections)
        self.group = group
        self.logger = logger
    }

    /// Runs `body` on a pooled connection. A connection that broke is dropped, and `body` is
    /// tried once more on a fresh one (the next server, when this one is gone).
    public func withConnection<T: Sendable>(_ body: (LDAPConnection) async throws -> T) async throws -> T {
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
                // A reused connection may have died while idle (server restarted): one retry.
                if reused && attempt == 1 { continue }
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
            return state.idle
        }
        for connection in idle { connection.close() }
    }

    private func acquire() async throws -> (LDAPConnection, reused: Bool) {
        while true {
            enum Step {
                case reuse(LDAPConnection)
                case open, wait
            }
            let step: Step = state.withLockedValue { state in
                while let connection = state.idle.popLast() {
                    if connection.isActive { return .reuse(connection) }
                    state.open -= 1
                }
                if state.open < maximumConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
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
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLockedValue { state in
                        if !state.idle.isEmpty || state.open < maximumConnections { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    private func release(_ connection: LDAPConnection, healthy: Bool) {
        let keep = state.withLockedValue { state in
            if healthy && connection.isActive && !state.closed {
                state.idle.append(connection)
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
        waiter?.resume()
    }

    /// Connects to the first server that answers (and accepts the service bind), passing over
    /// those that failed recently unless all of them did.
    private func openConnection() async throws -> LDAPConnection {
        let now = ContinuousClock.now
        let downUntil = state.withLockedValue { $0.downUntil }
        let indices = Array(settings.urls.indices)
        var order = indices.filter { (downUntil[$0] ?? now) <= now }
        order += indices.filter { !order.contains($0) }
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
            } catch let error as LDAPClientError where !error.isTemporary {
                // A refused service bind is a configuration error: another server will say the same.
                throw error
            } catch {
                logger.warning("LDAP server unreachable", metadata: ["url": "\(url)", "error": "\(error)"])
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
