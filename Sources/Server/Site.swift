import Admin
import Core
import Directory
import Filter
import Lists
import Logging
import MailAuth
import Monitor
import Policy
import Queue
import Sieve
import Store
import Webmail

/// The site's shared state, opened from its configuration: the database (migrated to the
/// current schema), the directory, the mail store and the queue. `serve` and the admin CLI both
/// start here.
public struct Site: Sendable {
    public let config: PostaConfig
    public let database: Database
    public let directory: Directory
    public let store: MailStore
    public let queue: MailQueue
    /// Users', domains' and the site's Sieve scripts.
    public let sieve: SieveScripts

    /// Every module's migrations, in dependency order.
    public static let migrations: [Migration] =
        DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
        + QuarantineSchema.migrations
        + PolicySchema.migrations
        + SpamSettingsSchema.migrations
        + DKIMKeySchema.migrations
        + DMARCSchema.migrations
        + MTASTSSchema.migrations + TLSRPTSchema.migrations
        + MonitorSchema.migrations + SummarySchema.migrations + AbuseSchema.migrations
        + AdminSchema.migrations
        + WebmailSchema.migrations
        + ListsSchema.migrations
        + SieveSchema.migrations

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
        // Nodes sharing PostgreSQL tell each other about mailbox changes (IMAP IDLE on any node).
        let notifier: any MailboxNotifier =
            database.dialect == .postgres
            ? PostgresMailboxNotifier(database: database, nodeID: config.nodeID, logger: logger)
            : LocalMailboxNotifier()
        let store = MailStore(
            database: database, root: config.dataDirectory + "/mail", nodeID: config.nodeID, notifier: notifier,
            companions: [SummaryCompanion()], undeleteRetention: config.store.undeleteRetention.seconds, logger: logger)
        let queue = MailQueue(
            database: database, spoolDirectory: config.dataDirectory + "/spool", nodeID: config.nodeID, logger: logger)
        let ldap: [LDAPDirectory]
        do {
            ldap = try config.directory.ldap.map { try LDAPDirectory(settings: $0, logger: logger) }
        } catch {
            await database.shutdown()
            throw error
        }
        let directory = Directory(
            database: database, services: [ListAddressService()], ldap: ldap, provisioner: store)
        try await directory.registerLDAPDomains()
        let sieve = SieveScripts(
            database: database, maximumScripts: config.sieve.maximumScripts,
            maximumScriptSize: Int(config.sieve.maximumScriptSize.bytes))
        return Site(config: config, database: database, directory: directory, store: store, queue: queue, sieve: sieve)
    }

    /// Stops the store's notifier (it sends what is queued, closes its listening connection), then
    /// closes the database pool.
    public func close() async {
        for source in directory.ldap { source.shutdown() }
        await store.notifier.shutdown()
        await database.shutdown()
    }
}
