import Core
import Foundation
import SQLKit

/// `posta check database`: the configured database answers a trivial query, and how fast.
public enum DatabaseCheck {
    public static let defaultTimeout = 10.0

    /// Runs `SELECT 1` on `database`; CRITICAL when it fails, UNKNOWN when it takes longer than
    /// `timeout`, else OK or per `-w`/`-c` on the seconds it took. `name` says which database
    /// (never a password: PostgreSQL URLs are shown without their user information).
    public static func run(_ database: Database, name: String, thresholds: Thresholds, timeout: Double) async -> PluginResult {
        let started = ContinuousClock.now
        let outcome = await withDeadline(seconds: timeout) {
            try await database.withConnection { db in
                _ = try await db.raw("SELECT 1 AS one").first()
            }
        }
        let d = ContinuousClock.now - started
        let seconds = ((Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000).rounded() / 1000
        switch outcome {
        case .timedOut:
            return .unknown("DATABASE", "timed out after \(Perfdata.number(timeout)) s waiting for \(name)")
        case .failed(let error):
            return PluginResult(
                service: "DATABASE", status: .critical, text: "\(name) unreachable: \(describe(error))")
        case .value:
            return PluginResult(
                service: "DATABASE", status: thresholds.status(of: seconds),
                text: "\(name) answered in \(Perfdata.number(seconds)) s",
                perfdata: [Perfdata("time", seconds, unit: .seconds, thresholds: thresholds, min: 0)])
        }
    }

    /// An error in one line, without the stack of wrappers.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(197)) + "..." : line
    }

    /// The database as the check names it: the SQLite file, or the PostgreSQL host and database.
    public static func name(_ url: DatabaseURL) -> String {
        switch url {
        case .sqlite(let path): return "SQLite \(path)"
        case .postgres:
            if let components = URLComponents(string: url.connectionString) {
                let host = components.host ?? "localhost"
                let port = components.port.map { ":\($0)" } ?? ""
                return "PostgreSQL \(host)\(port)\(components.path)"
            }
            return "PostgreSQL"
        }
    }
}

/// How a job raced against a deadline ended.
public enum DeadlineResult<T: Sendable>: Sendable {
    case value(T)
    case failed(any Error)
    case timedOut
}

/// `body`'s value, unless it fails or takes longer than `seconds` (then it is cancelled; a stuck
/// query is left to the process ending, which a check does right after).
public func withDeadline<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async
    -> DeadlineResult<T>
{
    await withTaskGroup(of: DeadlineResult<T>.self) { group in
        group.addTask {
            do { return .value(try await body()) } catch { return .failed(error) }
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int64(max(0.001, seconds) * 1000)))
            return .timedOut
        }
        let first = await group.next() ?? .timedOut
        group.cancelAll()
        return first
    }
}

/// `posta check cluster`: which nodes renew their heartbeat, which stopped renewing.
public enum ClusterCheck {
    /// Reads the node registry (within `timeout`) and judges it; UNKNOWN when it cannot be read.
    public static func run(
        _ database: Database, now: Int64, staleAfter: Int64 = defaultStaleAfter, thresholds: Thresholds = .init(),
        timeout: Double
    ) async -> PluginResult {
        switch await withDeadline(seconds: timeout, { try await ClusterNodes(database: database).all() }) {
        case .value(let nodes): return result(nodes, now: now, staleAfter: staleAfter, thresholds: thresholds)
        case .failed(let error): return .unknown("CLUSTER", "cannot read the node registry: \(DatabaseCheck.describe(error))")
        case .timedOut: return .unknown("CLUSTER", "timed out after \(Perfdata.number(timeout)) s reading the node registry")
        }
    }

    /// Three missed heartbeats (every 30 s): 90 s.
    public static let defaultStaleAfter: Int64 = 90

    /// CRITICAL when a registered node is stale (it neither renews nor said it stopped), else the
    /// `-w`/`-c` ranges on the count of alive nodes (none by default); UNKNOWN when no node ever
    /// registered (nothing to judge: the check probably reads the wrong database).
    public static func result(
        _ nodes: [ClusterNode], now: Int64, staleAfter: Int64 = defaultStaleAfter, thresholds: Thresholds = .init()
    ) -> PluginResult {
        var alive: [ClusterNode] = []
        var stale: [ClusterNode] = []
        var stopped: [ClusterNode] = []
        for node in nodes {
            switch node.state(at: now, staleAfter: staleAfter) {
            case .alive: alive.append(node)
            case .stale: stale.append(node)
            case .stopped: stopped.append(node)
            }
        }
        let perfdata = [
            Perfdata("alive", Double(alive.count), thresholds: thresholds, min: 0, max: Double(nodes.count)),
            Perfdata("stale", Double(stale.count), min: 0, max: Double(nodes.count)),
            Perfdata("stopped", Double(stopped.count), min: 0, max: Double(nodes.count)),
        ]
        guard !nodes.isEmpty else {
            return PluginResult(service: "CLUSTER", status: .unknown, text: "no node has registered", perfdata: perfdata)
        }
        var text = "\(alive.count) alive"
        if !alive.isEmpty { text += " (\(alive.map(\.nodeID).joined(separator: ", ")))" }
        if !stale.isEmpty {
            text +=
                ", \(stale.count) stale: "
                + stale.map { "\($0.nodeID) silent for \(now - $0.renewedAt) s" }.joined(separator: ", ")
        }
        if !stopped.isEmpty { text += ", \(stopped.count) stopped (\(stopped.map(\.nodeID).joined(separator: ", ")))" }
        let status = stale.isEmpty ? thresholds.status(of: Double(alive.count)) : .critical
        return PluginResult(service: "CLUSTER", status: status, text: text, perfdata: perfdata)
    }
}

/// The site's database, opened for one check (a small pool, no migrations: a check never changes
/// the schema). A SQLite file that does not exist is an error, not a new empty database.
public func openCheckDatabase(_ settings: DatabaseSettings) throws(CheckError) -> Database {
    let location: Database.Location
    switch settings.url {
    case .sqlite(let path):
        guard FileManager.default.fileExists(atPath: path) else { throw CheckError("SQLite database \(path) does not exist") }
        location = .sqlite(path: path)
    case .postgres: location = .postgres(url: settings.url.connectionString)
    }
    do {
        return try Database(location, poolSize: 1)
    } catch {
        throw CheckError("cannot open \(DatabaseCheck.name(settings.url)): \(DatabaseCheck.describe(error))")
    }
}

extension ProbeProtocol {
    /// The listener protocol that serves this probe, with or without implicit TLS.
    public func listenerProtocol(implicitTLS: Bool) -> ListenerProtocol {
        switch (self, implicitTLS) {
        case (.smtp, _): .smtp
        case (.submission, false): .submission
        case (.submission, true): .submissions
        case (.imap, false): .imap
        case (.imap, true): .imaps
        case (.pop3, false): .pop3
        case (.pop3, true): .pop3s
        }
    }

    /// The port to probe: the first matching `[[listener]]` of the config when there is one, else
    /// the standard port.
    public func port(implicitTLS: Bool, listeners: [ListenerSettings]?) -> Int {
        let wanted = listenerProtocol(implicitTLS: implicitTLS)
        return listeners?.first { $0.protocol == wanted }?.port ?? standardPort(implicitTLS: implicitTLS)
    }
}
