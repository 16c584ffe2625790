import Admin
import Core
import Directory
import Logging
import Monitor
import Policy
import PostaTestSupport
import Queue
import SQLKit
import Store
import Testing

/// A migrated site on a throw-away database: two domains with a few accounts, a console on a
/// manual clock, and one principal of each role.
struct AdminFixture {
    let db: Database
    let console: AdminConsole
    let clock: ManualLoginClock
    let folder: TemporaryFolder
    let superadmin: Principal
    let domainAdmin: Principal
    let helpdesk: Principal
    let cli: Principal

    static let logger = Logger(label: "test")
    static let throttlePolicy = LoginThrottle.Policy(
        delayAfter: 1, window: .seconds(600), baseDelay: .seconds(1), maxDelay: .seconds(8), lockoutAfter: 4,
        lockout: .seconds(900))
    static let settings = AdminSettings(
        sessionIdle: .minutes(30), sessionLifetime: .hours(12), helpdeskQuotaCeiling: ByteSize(bytes: 1 << 30))
    /// Cheap hashes for fixture accounts (the real schemes are tested in DirectoryTests).
    static let password = try! StoredPassword("{PLAIN}secret-password")
    static let migrations =
        DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
        + PolicySchema.migrations + AdminSchema.migrations + SummarySchema.migrations

    @discardableResult
    static func with<R: Sendable>(_ dialect: Database.Dialect, _ body: (AdminFixture) async throws -> R) async throws -> R {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db)
            let clock = ManualLoginClock()
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "t", logger: logger)
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "t", logger: logger)
            let authenticator = Authenticator(
                directory: directory, loginLog: LoginLog(database: db), throttle: LoginThrottle(policy: throttlePolicy),
                clock: clock)
            let console = AdminConsole(
                database: db, directory: directory, store: store, queue: queue, authenticator: authenticator,
                settings: settings, logger: logger)
            let cli = Principal(.console(unixUser: "root"), channel: .cli, clientIP: nil)
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: cli, name: domain) }
            for address in ["alice@example.org", "bob@example.org", "carol@other.org"] {
                _ = try await console.createAccount(
                    as: cli, address: address, hash: password, displayName: "", quotaBytes: 0)
            }
            func principal(_ login: String, _ role: AdminRole, _ domains: [String]) async throws -> Principal {
                // Administrators made directly (hashing real passwords costs time in every test).
                let admin = try await console.addAdministrator(
                    as: cli, login: login, password: "admin-password-1", role: role, domains: domains, displayName: login)
                return Principal(.administrator(admin), channel: .web, clientIP: "192.0.2.9")
            }
            let fixture = AdminFixture(
                db: db, console: console, clock: clock, folder: folder,
                superadmin: try await principal("root", .superadmin, []),
                domainAdmin: try await principal("dora", .domainAdmin, ["example.org"]),
                helpdesk: try await principal("hal", .helpdesk, []), cli: cli)
            return try await body(fixture)
        }
    }

    /// Queues a message from `sender` to `recipients` (remote deliveries, never run here), held
    /// or not, received at `time` when given (several messages may share a second).
    @discardableResult
    func enqueue(from sender: String, to recipients: [String], held: Bool = true, at time: Int64? = nil) async throws
        -> String
    {
        try console.queue.prepare()
        let (id, file) = try console.queue.openSpoolFile()
        try file.write(Array("Subject: x\r\n\r\nx\r\n".utf8))
        try await console.queue.commit(
            id: id, file: file,
            envelope: QueuedEnvelope(reversePath: try MailAddress(parsing: sender), clientIP: "192.0.2.1", helo: "c"),
            deliveries: recipients.map { QueuedDelivery(recipient: $0, kind: .remote, accountID: nil, target: $0) },
            held: held)
        if let time {
            try await db.withConnection { db in
                try await db.update("queue_message").set("received_at", to: SQLBind(time)).where("id", .equal, id).run()
            }
        }
        return id
    }

    func userPrincipal(_ address: String) async throws -> Principal {
        let account = try #require(try await console.directory.account(address))
        return Principal(.user(account), channel: .web, clientIP: "192.0.2.50")
    }
}
