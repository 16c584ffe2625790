import Logging
import PostgresKit
import SQLKit

/// PostgreSQL `LISTEN`/`NOTIFY`: how cluster nodes sharing one database tell each other that
/// something changed. SQLite has no such thing (it serves one node).
extension Database {
    /// Sends each payload, in order, to every session listening on `channel`: one statement each,
    /// outside any transaction, so they are delivered at once.
    public func notify(channel: String, payloads: [String]) async throws {
        try requirePostgres()
        guard !payloads.isEmpty else { return }
        try await withConnection { db in
            for payload in payloads {
                try await db.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
            }
        }
    }

    /// Listens on `channel` over a connection of its own (not from the pool): calls `listening`
    /// once the server confirmed `LISTEN`, then `received` with each payload, until the connection
    /// drops (throws) or the task is cancelled (returns). The connection is closed either way.
    public func listen(
        channel: String, listening: @Sendable () -> Void, received: @Sendable (String) -> Void
    ) async throws {
        let configuration = try requirePostgres()
        let connection = try await PostgresConnection.connect(
            on: eventLoopGroup.any(), configuration: configuration.coreConfiguration,
            id: Int.random(in: 0...Int.max), logger: logger)
        do {
            try await connection.listen(on: channel) { notifications in
                listening()
                for try await notification in notifications { received(notification.payload) }
            }
        } catch {
            try? await connection.close()
            if Task.isCancelled { return }
            throw error
        }
        try? await connection.close()
    }

    @discardableResult
    private func requirePostgres() throws -> SQLPostgresConfiguration {
        guard let postgresConfiguration else { throw NotificationsUnsupported() }
        return postgresConfiguration
    }
}

/// `LISTEN`/`NOTIFY` on a database that is not PostgreSQL.
public struct NotificationsUnsupported: Error, CustomStringConvertible {
    public var description: String { "LISTEN/NOTIFY needs PostgreSQL" }
}
