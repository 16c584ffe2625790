import Admin
import Core
import Directory
import Foundation
import Logging
import PostaTestSupport
import Queue
import Store
import Testing

@testable import Migration

/// `posta import accounts` on the passwd-file and LDIF fixtures, whose hashes `doveadm pw` made (password `secret`).
@Suite("Account import")
struct AccountImportTests {
    @Test("hashes are stored byte for byte and the original passwords log in", arguments: TestDatabases.dialects)
    func keepsHashes(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let summary = try await f.importAccounts("passwd-file", format: .passwdFile)
            #expect((summary.created, summary.exists, summary.skipped) == (3, 0, 2))
            #expect(summary.problems.isEmpty, "\(summary.problems)")
            // The hashes as the file has them, field 2 of each line.
            let written = Dictionary(
                uniqueKeysWithValues: try MigrationFixtures.lines("passwd-file").filter { !$0.hasPrefix("#") }.map {
                    let fields = $0.split(separator: ":", omittingEmptySubsequences: false)
                    return (String(fields[0]), String(fields[1]))
                })
            for address in ["alice@example.org", "bob@example.org", "carol@example.org"] {
                let account = try #require(try await f.directory.account(address))
                #expect(Array(account.password.utf8) == Array(try #require(written[address]).utf8))
                guard case .success = try await f.directory.authenticate(address, password: "secret") else {
                    Issue.record("\(address) cannot log in with its original password")
                    continue
                }
                guard case .failure(.wrongPassword) = try await f.directory.authenticate(address, password: "secret2") else {
                    Issue.record("\(address) logs in with a wrong password")
                    continue
                }
                // Strong hashes are not rehashed at login: still the imported bytes.
                #expect(try await f.directory.account(address)?.password == written[address])
            }
            #expect(try await f.directory.account("bob@example.org")?.quotaBytes == 1 << 30)
            #expect(try await f.directory.account("carol@example.org")?.displayName == "Carol Example")
            // Each creation is audited as the CLI's own are.
            let audit = try await f.console.auditLog(as: f.cli, AuditFilter(action: "account.create"))
            #expect(Set(audit.items.map(\.target)) == ["alice@example.org", "bob@example.org", "carol@example.org"])
        }
    }

    @Test("an unknown scheme is skipped with its line and reason", arguments: TestDatabases.dialects)
    func unknownScheme(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let summary = try await f.importAccounts("passwd-file", format: .passwdFile)
            let skipped = summary.entries.filter { $0.outcome == .skipped }
            #expect(skipped.map(\.line) == [7, 8])
            #expect(skipped.map(\.name) == ["dave@example.org", "erin@example.org"])
            #expect(skipped[0].reason == "password scheme {ARGON2ID} is not supported")
            #expect(skipped[1].reason == "password scheme {CRAM-MD5} is not supported")
            #expect(
                summary.lines.contains(
                    "passwd-file:7: account dave@example.org skipped: password scheme {ARGON2ID} is not supported"))
            #expect(try await f.directory.account("dave@example.org") == nil)
            #expect(try await f.directory.account("erin@example.org") == nil)
        }
    }

    @Test("a second run creates nothing and changes nothing", arguments: TestDatabases.dialects)
    func idempotent(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            _ = try await f.importAccounts("passwd-file", format: .passwdFile)
            try await f.console.setQuota(as: f.cli, address: "bob@example.org", bytes: 5)
            let before = try await f.directory.accounts()
            let again = try await f.importAccounts("passwd-file", format: .passwdFile)
            #expect((again.created, again.exists, again.skipped) == (0, 3, 2))
            #expect(try await f.directory.accounts() == before)
            #expect(try await f.directory.account("bob@example.org")?.quotaBytes == 5)
        }
    }

    @Test("a dry run reports what it would do and writes nothing", arguments: TestDatabases.dialects)
    func dryRun(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let text = "zoe@new.example:{PLAIN}secret-password\nalice@example.org:{PLAIN}secret-password\n"
            let dry = try await f.importAccounts(bytes: Array(text.utf8), format: .passwdFile, createDomains: true, dryRun: true)
            #expect(dry.dryRun && (dry.created, dry.exists, dry.skipped) == (3, 0, 0))
            #expect(dry.entries.map(\.kind) == [.domain, .account, .account])
            #expect(try await f.directory.accounts().isEmpty)
            #expect(try await f.directory.domains().map(\.name) == ["example.org"])
            #expect(try await f.console.auditLog(as: f.cli, AuditFilter(action: "account.create")).items.isEmpty)
            // The run then does what the dry run said.
            let real = try await f.importAccounts(bytes: Array(text.utf8), format: .passwdFile, createDomains: true)
            #expect(real.entries.map(\.outcome) == dry.entries.map(\.outcome))
            #expect(try await f.directory.domains().map(\.name) == ["example.org", "new.example"])
            #expect(try await f.directory.accounts().count == 2)
        }
    }

    @Test("entries without an address, password or local domain are skipped", arguments: TestDatabases.dialects)
    func skips(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let text = """
                plainuser:{PLAIN}secret-password
                nopass@example.org::1000:1000
                far@elsewhere.example:{PLAIN}secret-password
                bad@example.org:{SHA256}not-base64!
                alice@example.org:{PLAIN}secret-password
                ALICE@example.org:{PLAIN}other
                """
            let summary = try await f.importAccounts(bytes: Array(text.utf8), format: .passwdFile)
            #expect((summary.created, summary.skipped) == (1, 4))
            let reasons = summary.entries.filter { $0.outcome == .skipped }.map { "\($0.line) \($0.reason ?? "")" }
            #expect(reasons[0].hasPrefix("1 \"plainuser\" is not an address"))
            #expect(reasons[1].hasPrefix("2 no password"))
            #expect(reasons[2] == "3 domain elsewhere.example is not local (--domain-create adds it)")
            #expect(reasons[3].hasPrefix("4 password {SHA256} is not a valid hash"))
            // Line 6 repeats line 5 (the parser reports it: Dovecot uses the first).
            #expect(summary.problems.map(\.line) == [6])
            #expect(try await f.directory.accounts().map(\.address) == ["alice@example.org"])
        }
    }

    @Test("LDIF entries keep their userPassword hashes", arguments: TestDatabases.dialects)
    func ldif(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let summary = try await f.importAccounts("accounts.ldif", format: .ldif)
            #expect((summary.created, summary.exists, summary.skipped) == (2, 0, 3))
            let skipped = summary.entries.filter { $0.outcome == .skipped }
            #expect(skipped.map(\.line) == [4, 33, 40])
            #expect(skipped[1].reason == "password scheme {ARGON2ID} is not supported")
            let juergen = try #require(try await f.directory.account("juergen@example.org"))
            #expect(juergen.displayName == "Jürgen Müller")
            #expect(
                juergen.password
                    == "{SHA512-CRYPT}$6$gC6N/rpj07Jjf38h$ndd1Y9Du9SK.i4fu7t0AtgeQFv4hCMbGWrWyXykX9ufxhQcsMLPsQQ8gO9uGlhczPWkKb5h5STwYKWl5aGrr11"
            )
            guard case .success = try await f.directory.authenticate("bob@example.org", password: "secret") else {
                Issue.record("bob cannot log in")
                return
            }
            #expect(summary.entries.first { $0.name == "bob@example.org" }?.reason?.contains("robert@example.org") == true)
            let again = try await f.importAccounts("accounts.ldif", format: .ldif)
            #expect((again.created, again.exists) == (0, 2))
        }
    }

    @Test func quotaRules() {
        #expect(DovecotQuotaRule.storageBytes("*:storage=1G") == 1 << 30)
        #expect(DovecotQuotaRule.storageBytes("*:storage=100") == 102_400)
        #expect(DovecotQuotaRule.storageBytes("*:bytes=100") == 100)
        #expect(DovecotQuotaRule.storageBytes("*:storage=0") == 0)
        #expect(DovecotQuotaRule.storageBytes("*:storage=512m") == 512 << 20)
        #expect(DovecotQuotaRule.storageBytes("Trash:storage=+100M") == nil)
        #expect(DovecotQuotaRule.storageBytes("*:storage=10%") == nil)
        #expect(DovecotQuotaRule.storageBytes("*:messages=100") == nil)
        #expect(DovecotQuotaRule.storageBytes("*:storage=99999999999T") == nil)
    }
}

/// A migrated site with the local domain example.org and the CLI's console, as `posta import` opens it.
struct DirectoryImportFixture: Sendable {
    let database: Database
    let console: AdminConsole
    let cli: Principal
    var directory: Directory { console.directory }

    static let logger: Logger = {
        var logger = Logger(label: "import-test")
        logger.logLevel = .error
        return logger
    }()

    static func with(_ dialect: Database.Dialect, _ body: (DirectoryImportFixture) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(
                DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
                    + AdminSchema.migrations)
            let directory = Directory(database: db)
            let authenticator = Authenticator(
                directory: directory, loginLog: LoginLog(database: db),
                throttle: LoginThrottle(
                    policy: .init(
                        delayAfter: 100, window: .seconds(600), baseDelay: .seconds(1), maxDelay: .seconds(1),
                        lockoutAfter: 1000, lockout: .seconds(1))),
                clock: ManualLoginClock())
            let console = AdminConsole(
                database: db, directory: directory,
                store: MailStore(database: db, root: folder.path + "/mail", nodeID: "t", logger: logger),
                queue: MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "t", logger: logger),
                authenticator: authenticator,
                settings: AdminSettings(
                    sessionIdle: .minutes(30), sessionLifetime: .hours(12), helpdeskQuotaCeiling: ByteSize(bytes: 1 << 30)),
                logger: logger)
            let cli = Principal(.console(unixUser: "root"), channel: .cli, clientIP: nil)
            _ = try await console.addDomain(as: cli, name: "example.org")
            try await body(DirectoryImportFixture(database: db, console: console, cli: cli))
        }
    }

    func importAccounts(
        _ fixture: String, format: AccountImporter.Format, createDomains: Bool = false, dryRun: Bool = false
    ) async throws -> DirectoryImportSummary {
        try await importAccounts(
            bytes: try MigrationFixtures.bytes(fixture), format: format, createDomains: createDomains, dryRun: dryRun,
            name: fixture)
    }

    func importAccounts(
        bytes: [UInt8], format: AccountImporter.Format, createDomains: Bool = false, dryRun: Bool = false,
        name: String = "input"
    ) async throws -> DirectoryImportSummary {
        try await AccountImporter(console: console, principal: cli).run(
            bytes, options: .init(format: format, createDomains: createDomains, dryRun: dryRun, fileName: name))
    }
}
