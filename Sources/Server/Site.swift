import Core
import Directory
import Logging

/// The site's shared state, opened from its configuration: the database (migrated to the
/// current schema) and the directory on top of it. `serve` and the admin CLI both start here.
public struct Site: Sendable {
    public let config: PostaConfig
    public let database: Database
    public let directory: Directory

    /// Every module's migrations, in dependency order.
    public static let migrations: [Migration] = DirectorySchema.migrations

    /// Opens the database named by `config` and applies pending migrations.
    public static func open(_ config: PostaConfig, logger: Logger) async throws -> Site {
        let location: Database.Location
        switch config.database.url {
        case .sqlite(let path): location = .sqlite(path: path)
        case .postgres: location = .postgres(url: config.database.url.connectionString)
        }
        let database = try Database(location, poolSize: config.database.poolSize, logger: logger)
        do {
            let applied = try await database.migrate(migrations)
            if !applied.isEmpty { logger.info("database migrated", metadata: ["applied": "\(applied)"]) }
        } catch {
            await database.shutdown()
            throw error
        }
        return Site(config: config, database: database, directory: Directory(database: database))
    }

    /// Closes the database pool.
    public func close() async { await database.shutdown() }
}
