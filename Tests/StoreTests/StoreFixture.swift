import Core
import Directory
import Foundation
import Logging
import PostaTestSupport

@testable import Store

/// A migrated database of each dialect with one domain, a mail root in a fresh folder, and a store.
struct StoreFixture: Sendable {
    let database: Database
    let directory: Directory
    let store: MailStore
    let root: String

    static let logger: Logger = {
        var logger = Logger(label: "store-test")
        logger.logLevel = .error
        return logger
    }()

    @discardableResult
    static func with<R: Sendable>(
        _ dialect: Database.Dialect, nodeID: String = "node1", companions: [any MessageCompanion] = [],
        _ body: (StoreFixture) async throws -> R
    ) async throws -> R {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        return try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let root = folder.path + "/mail"
            let store = MailStore(database: db, root: root, nodeID: nodeID, companions: companions, logger: logger)
            return try await body(StoreFixture(database: db, directory: directory, store: store, root: root))
        }
    }

    /// Adds and provisions an account.
    func account(_ address: String, quota: Int64 = 0) async throws -> Account {
        let account = try await directory.addAccount(address, password: password, quotaBytes: quota)
        try await store.provision(account: account)
        return account
    }

    let password = try! StoredPassword("{PLAIN}secret-password")

    /// Writes `bytes` to a new file in `folder` and returns its path.
    static func file(_ bytes: [UInt8], in folder: String, name: String = UUID().uuidString) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}
