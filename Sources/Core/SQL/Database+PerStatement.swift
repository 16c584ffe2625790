import Logging
import NIOCore
import PostgresKit
import SQLKit
import SQLiteKit

extension Database {
    /// A database whose every statement takes a connection from the pool and gives it back at
    /// once: for work that waits on something else between statements (a directory server) and
    /// must not hold a connection while it does. No transactions or sessions on it.
    public var perStatement: any SQLDatabase { PerStatementDatabase(database: self) }
}

private struct PerStatementDatabase: SQLDatabase {
    let database: Database

    var logger: Logger { database.logger }
    var eventLoop: any EventLoop { database.eventLoopGroup.any() }
    var dialect: any SQLDialect {
        switch database.dialect {
        case .sqlite: SQLiteDialect()
        case .postgres: PostgresDialect()
        }
    }
    var queryLogLevel: Logger.Level? { .trace }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await database.withConnection { db in try await db.execute(sql: query, onRow) }
    }
}
