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
        try await TestConsole.with(.sqlite, logger: logger) { console in
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            try await Application(router: router).test(.router) { client in try await body(console, client) }
        }
    }
}
