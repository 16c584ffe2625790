import Admin
import Core
import Directory
import Hummingbird
import HummingbirdTesting
import Logging
import Policy
import PostaTestSupport
import Queue
import Store
import Web

/// A console on a throw-away SQLite site, mounted on a router as Server mounts it.
enum ConsoleFixture {
    static let logger = Logger(label: "web-tests")

    static func with(_ body: @Sendable (AdminConsole, any TestClientProtocol) async throws -> Void) async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.migrate(
                DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
                    + PolicySchema.migrations + AdminSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db)
            let console = AdminConsole(
                database: db, directory: directory,
                store: MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger),
                queue: MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger),
                authenticator: Authenticator(directory: directory, loginLog: LoginLog(database: db)),
                settings: AdminSettings(), logger: logger)
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            try await Application(router: router).test(.router) { client in try await body(console, client) }
        }
    }
}
