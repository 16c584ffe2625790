import Core
import Foundation
import PostaTestSupport

/// Two connection pools on one fresh database, as two cluster nodes would have.
enum TwoNodes {
    static func with(_ dialect: Database.Dialect, _ body: (Database, Database) async throws -> Void) async throws {
        switch dialect {
        case .sqlite:
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let first = try Database(
                .sqlite(path: folder.path + "/shared.db"), poolSize: 4, requestTimeout: TestDatabases.requestTimeout)
            let second = try Database(
                .sqlite(path: folder.path + "/shared.db"), poolSize: 4, requestTimeout: TestDatabases.requestTimeout)
            do { try await body(first, second) } catch {
                await first.shutdown()
                await second.shutdown()
                throw error
            }
            await first.shutdown()
            await second.shutdown()
        case .postgres:
            let server = try TestDatabases.postgresServerURL()
            let name = "posta_test_\(UInt64.random(in: 0...UInt64.max))"
            let admin = try Database(.postgres(url: server), poolSize: 1)
            try await admin.withConnection { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            var components = URLComponents(string: server)!
            components.path = "/" + name
            let first = try Database(
                .postgres(url: components.string!), poolSize: 4, requestTimeout: TestDatabases.requestTimeout)
            let second = try Database(
                .postgres(url: components.string!), poolSize: 4, requestTimeout: TestDatabases.requestTimeout)
            func drop() async {
                await first.shutdown()
                await second.shutdown()
                _ = try? await admin.withConnection { db in try await db.raw("DROP DATABASE \(unsafeRaw: name)").run() }
                await admin.shutdown()
            }
            do { try await body(first, second) } catch {
                await drop()
                throw error
            }
            await drop()
        }
    }
}
