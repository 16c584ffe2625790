import Core
import Crypto
import Directory
import Foundation
import Logging
import PostaTestSupport
import SQLKit
import Store
import Testing

@testable import Backup

/// A site in miniature on each dialect: a migrated database with one domain, a data folder whose
/// `mail/` the store writes, a backup service over both, and a folder for backups.
struct BackupFixture: Sendable {
    let database: Database
    let directory: Directory
    let store: MailStore
    let data: String
    let backups: String
    let service: BackupService

    static let logger: Logger = {
        var logger = Logger(label: "backup-test")
        logger.logLevel = .error
        return logger
    }()

    static func with(_ dialect: Database.Dialect, _ body: (BackupFixture) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let data = folder.path + "/data"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            let store = MailStore(database: db, root: data + "/mail", nodeID: "node1", logger: logger)
            let url = try await Self.url(of: db, dialect: dialect, data: data)
            let service = BackupService(database: db, databaseURL: url, dataDirectory: data, nodeID: "node1", logger: logger)
            try await body(
                BackupFixture(
                    database: db, directory: directory, store: store, data: data, backups: folder.path + "/backups",
                    service: service))
        }
    }

    /// The configured URL of a test database: for PostgreSQL the server's with the database's name.
    static func url(of db: Database, dialect: Database.Dialect, data: String) async throws -> DatabaseURL {
        guard dialect == .postgres else { return .sqlite(path: data + "/unused.db") }
        let name = try await db.withConnection { db in
            try await db.raw("SELECT current_database() AS d").first(decodingColumn: "d", as: String.self)
        }
        let server = try #require(URLComponents(string: try TestDatabases.postgresServerURL()))
        return .postgres(
            host: server.host ?? "127.0.0.1", port: server.port ?? 5432, user: server.user ?? "postgres",
            password: server.password, database: name ?? "", tls: false)
    }

    func account(_ address: String) async throws -> Account {
        let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}secret-password"))
        try await store.provision(account: account)
        return account
    }

    @discardableResult
    func deliver(_ accountID: Int64, _ text: String, mailbox: String = "INBOX") async throws -> AppendResult {
        try await store.append(
            accountID: accountID, mailbox: mailbox, data: Array("Subject: \(text)\r\n\r\n\(text)\r\n".utf8))
    }

    /// Every message file the live index names, relative to the data folder, with its bytes.
    func liveFiles() async throws -> [String: [UInt8]] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT s.maildir || '/' || m.file AS path FROM message m JOIN mailbox b ON b.id = m.mailbox_id
                JOIN store_account s ON s.account_id = b.account_id
                """
            ).all().map { try $0.decode(column: "path", as: String.self) }
        }
        var files: [String: [UInt8]] = [:]
        for path in rows {
            files["mail/" + path] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: data + "/mail/" + path)))
        }
        return files
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }
}
