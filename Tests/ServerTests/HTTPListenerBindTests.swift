import Core
import Foundation
import Logging
import NIOCore
import NIOPosix
import Server
import Testing

@Suite("HTTP listener: a taken address is reported before start")
struct HTTPListenerBindTests {
    /// Hummingbird binds inside its own service group, where a failure neither ended `posta serve`
    /// nor let SIGTERM stop it; `posta serve` checks the address first and fails, naming it.
    @Test func takenPortFailsToBuild() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        let settings = ListenerSettings(
            protocol: .http, host: "127.0.0.1", port: port, tls: .none, maxConnections: 10, maxConnectionsPerIP: 10,
            idleTimeout: .seconds(60), line: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("posta-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let budget = ConnectionBudget(limits: Limits())
        #expect {
            try HTTPService.checkAddressIsFree(settings)
        } throws: { error in
            "\(error)".hasPrefix("cannot listen on 127.0.0.1:\(port):")
        }
        // A free address passes, and builds. (Port 0: the port just closed may meanwhile be another
        // test's client port, as the suites run in parallel.)
        try await taken.close()
        var free = settings
        free.port = 0
        try HTTPService.checkAddressIsFree(free)
        // The pool must be shut down whatever happens (its deinit asserts otherwise, ending the run).
        let database = try Database(.sqlite(path: folder.path + "/test.db"), poolSize: 1)
        let built = Result {
            try HTTPService.make(
                settings: free, tls: nil, health: HealthMonitor(database: database), budget: budget,
                logger: Logger(label: "test"))
        }
        await database.shutdown()
        _ = try built.get()
    }
}
