import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The one SQL layer every Posta module uses: a connection pool on SQLite (embedded default)
/// or PostgreSQL (cluster), with sessions, transactions and the dialect differences kept here.
public final class Database: Sendable {
    /// Which SQL engine is behind the pool.
    public enum Dialect: String, Sendable {
        case sqlite
        case postgres
    }

    /// Where to connect.
    public enum Location: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public let dialect: Dialect
    private let pool: Pool
    let logger: Logger
    /// SQLite has one writer at a time; queueing writers here, instead of in SQLite's busy
    /// handler, keeps waiting transactions from blocking the threads the lock holder needs.
    private let writerLock = AsyncLock()
    /// SQLite calls block a thread each; they get their own pool, sized to the connections.
    private let threadPool: NIOThreadPool?
    /// Where dedicated (non-pooled) PostgreSQL connections go, e.g. the one that `LISTEN`s.
    let postgresConfiguration: SQLPostgresConfiguration?
    let eventLoopGroup: any EventLoopGroup

    /// AsyncKit's pools lock internally and are safe to share, but predate `Sendable`.
    private enum Pool: @unchecked Sendable {
        case sqlite(EventLoopGroupConnectionPool<SQLiteSource>)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    /// Opens a pool. Nothing connects until the first query; a query waits at most
    /// `requestTimeout` for a free connection.
    public init(
        _ location: Location, poolSize: Int = 8, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        requestTimeout: TimeAmount = .seconds(10), logger: Logger = Logger(label: "posta.sql")
    ) throws {
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        // One pool per event loop; keep the total near `poolSize`.
        let loops = max(1, eventLoopGroup.makeIterator().reduce(0) { n, _ in n + 1 })
        let perLoop = max(1, poolSize / loops)
        DatabaseMetrics.databasePoolSize.set(Int64(perLoop * loops))
        switch location {
        case .sqlite(let path):
            dialect = .sqlite
            postgresConfiguration = nil
            let threads = NIOThreadPool(numberOfThreads: max(2, poolSize))
            threads.start()
            threadPool = threads
            pool = .sqlite(
                EventLoopGroupConnectionPool(
                    source: SQLiteSource(path: path, threadPool: threads), maxConnectionsPerEventLoop: perLoop,
                    requestTimeout: requestTimeout, logger: logger, on: eventLoopGroup))
        case .postgres(let url):
            dialect = .postgres
            threadPool = nil
            let configuration = try SQLPostgresConfiguration(url: url)
            postgresConfiguration = configuration
            pool = .postgres(
                EventLoopGroupConnectionPool(
                    source: PostgresConnectionSource(sqlConfiguration: configuration),
                    maxConnectionsPerEventLoop: perLoop, requestTimeout: requestTimeout, logger: logger, on: eventLoopGroup))
        }
    }

    /// Runs `body` on one connection taken from the pool.
    public func withConnection<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch pool {
        case .sqlite(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            DatabaseMetrics.databaseConnectionsInUse.increment()
            defer {
                DatabaseMetrics.databaseConnectionsInUse.decrement()
                pool.releaseConnection(connection, logger: logger)
            }
            return try await body(connection.sql(queryLogLevel: .trace))
        case .postgres(let pool):
            let connection = try await pool.requestConnection(logger: logger).get()
            DatabaseMetrics.databaseConnectionsInUse.increment()
            defer {
                DatabaseMetrics.databaseConnectionsInUse.decrement()
                pool.releaseConnection(connection, logger: logger)
            }
            return try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// On SQLite the transaction takes the write lock at once (`BEGIN IMMEDIATE`), so two writers
    /// never deadlock upgrading read locks; on PostgreSQL row locks (`SELECT … FOR UPDATE`,
    /// `UPDATE … RETURNING`) serialise the writers that touch the same rows.
    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        guard dialect == .sqlite else { return try await run(transaction: "BEGIN", body) }
        return try await writerLock.withLock { try await self.run(transaction: "BEGIN IMMEDIATE", body) }
    }

    /// Runs read-only `body` against one consistent snapshot, without taking SQLite's write lock:
    /// a deferred transaction in WAL mode there, `REPEATABLE READ` on PostgreSQL.
    public func snapshot<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await run(transaction: dialect == .sqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func run<R: Sendable>(transaction begin: String, _ body: @Sendable (any SQLDatabase) async throws -> R)
        async throws -> R
    {
        try await withConnection { db in
            try await db.raw(SQLQueryString(begin)).run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                // Not cancellable: a task cancelled mid-transaction (a service stopping) must not
                // hand its connection back to the pool still inside the transaction, holding
                // SQLite's write lock for every other writer.
                await Task.detached { try? await db.raw("ROLLBACK").run() }.value
                throw error
            }
        }
    }

    /// Closes every pooled connection.
    public func shutdown() async {
        switch pool {
        case .sqlite(let pool): try? await pool.shutdownAsync()
        case .postgres(let pool): try? await pool.shutdownAsync()
        }
        try? await threadPool?.shutdownGracefully()
    }

    /// Column type of an auto-incrementing 64-bit primary key in this dialect.
    public var autoIncrementPrimaryKey: String {
        switch dialect {
        case .sqlite: "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        }
    }

    /// Column type of raw bytes in this dialect.
    public var binaryType: String { dialect == .sqlite ? "BLOB" : "BYTEA" }
}

/// Opens SQLite connections tuned for a mail server: WAL journal (readers never block the
/// writer), `synchronous = FULL` (a committed index row survives power loss, as the message
/// file it points to does), a busy timeout instead of instant SQLITE_BUSY, and foreign keys on.
struct SQLiteSource: ConnectionPoolSource {
    let path: String
    let threadPool: NIOThreadPool

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: threadPool, logger: logger, on: eventLoop)
            .flatMap { connection in
                let pragmas = [
                    "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA busy_timeout = 10000",
                    "PRAGMA foreign_keys = ON",
                ]
                return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { chain, pragma in
                    chain.flatMap { connection.query(pragma).map { _ in } }
                }.map { connection }
            }
    }
}
