import Core
import Directory
import Foundation
import Logging
import PostaTestSupport
import Server
import ServiceLifecycle
import Testing

@Suite("Session revocation watcher")
struct SessionRevocationWatcherTests {
    final class Closed: @unchecked Sendable {
        private let lock = NSLock()
        private var closed = false
        func close() { lock.withLock { closed = true } }
        var value: Bool { lock.withLock { closed } }
    }

    @Test(
        "a running watcher closes a session within seconds of `disable` committed through another Directory (another process)",
        arguments: TestDatabases.dialects)
    func closesAfterDisable(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations)
            let serverSide = Directory(database: db)
            try await serverSide.addDomain("example.org")
            let account = try await serverSide.addAccount("alice@example.org", password: try StoredPassword("{PLAIN}x"))
            let sessions = AccountSessions()
            let closed = Closed()
            let registration = sessions.register(account) { closed.close() }
            let watcher = SessionRevocationWatcher(
                directory: serverSide, sessions: sessions, interval: .milliseconds(200), logger: Logger(label: "test"))
            let group = ServiceGroup(services: [watcher], logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!closed.value)
            // The admin command: its own Directory on the same database.
            try await Directory(database: db).setEnabled("alice@example.org", false)
            let deadline = ContinuousClock.now + .seconds(10)
            while !closed.value && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(closed.value)
            await group.triggerGracefulShutdown()
            try await running.value
            registration.end()
        }
    }
}
