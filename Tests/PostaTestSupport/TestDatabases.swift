import Core
import Foundation
import NIOCore

/// Throw-away databases for tests: a fresh SQLite file, and a fresh database on the PostgreSQL
/// server that `.ci/run` starts (`POSTA_TEST_POSTGRES_URL`, e.g. `postgres://posta@127.0.0.1:15432/postgres`).
public enum TestDatabases {
    /// Creating and dropping databases one at a time keeps parallel tests from racing on the
    /// template database.
    static let adminLock = AsyncLock()

    /// How long a test's query waits for a pooled connection: the parallel suite keeps both cores
    /// busy for seconds at a time, which is not what a pool timeout is there to catch.
    public static let requestTimeout = TimeAmount.seconds(60)

    /// The dialects every database test runs on.
    public static let dialects: [Database.Dialect] = [.sqlite, .postgres]

    /// Opens an empty database of `dialect`, runs `body`, and removes it.
    @discardableResult
    public static func with<R: Sendable>(
        _ dialect: Database.Dialect, _ body: (Database) async throws -> R
    ) async throws -> R {
        switch dialect {
        case .sqlite:
            let folder = try TemporaryFolder()
            let database = try Database(.sqlite(path: folder.path + "/test.db"), poolSize: 4, requestTimeout: requestTimeout)
            defer { folder.remove() }
            do {
                let result = try await body(database)
                await database.shutdown()
                return result
            } catch {
                await database.shutdown()
                throw error
            }
        case .postgres:
            let server = try postgresServerURL()
            let name = "posta_test_\(UInt64.random(in: 0...UInt64.max))"
            let admin = try Database(.postgres(url: server), poolSize: 1)
            do {
                try await adminLock.withLock {
                    try await admin.withConnection { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
                }
            } catch {
                await admin.shutdown()
                throw TestSetupError("cannot create test database: \(String(reflecting: error))")
            }
            let database = try Database(
                .postgres(url: replacingDatabase(in: server, with: name)), poolSize: 4, requestTimeout: requestTimeout)
            func drop() async {
                await database.shutdown()
                _ = try? await adminLock.withLock {
                    try await admin.withConnection { db in try await db.raw("DROP DATABASE \(unsafeRaw: name)").run() }
                }
                await admin.shutdown()
            }
            do {
                let result = try await body(database)
                await drop()
                return result
            } catch {
                await drop()
                // PostgresNIO hides details in `description`; show them in the test report.
                throw TestSetupError(String(reflecting: error))
            }
        }
    }

    /// The server URL, or a failure that says how to get one (tests never skip a missing peer).
    public static func postgresServerURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["POSTA_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw TestSetupError(
                "POSTA_TEST_POSTGRES_URL is not set: run the suite with .ci/run, or start PostgreSQL with `.ci/postgres start` and export the URL it prints"
            )
        }
        return url
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}

/// A test could not set up what it needs.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A fresh folder under the system temporary directory.
public struct TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/posta-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSetupError("mkdtemp failed") }
        path = String(cString: made)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
