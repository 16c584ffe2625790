import Admin
import Core
import Filter
import Foundation
import PostaTestSupport
import Queue
import Testing

/// The quarantine, filter-settings and self-service spam operations of `AdminConsole`: the role
/// matrix (helpdesk refused, a domain admin held to entries all of whose recipients are theirs),
/// validation, the audit rows, on SQLite and PostgreSQL.
@Suite struct QuarantineAndFilterTests {
    /// `fixture`'s site with a quarantine and the filter tables, and a console that holds them.
    static func with(
        _ dialect: Database.Dialect, spamDefaults: SpamPreferences? = SpamPreferences(junkThreshold: 5, junk: true),
        _ body: (AdminFixture, AdminConsole) async throws -> Void
    ) async throws {
        try await AdminFixture.with(dialect) { f in
            try await f.db.migrate(QuarantineSchema.migrations + SpamSettingsSchema.migrations)
            let c = f.console
            let console = AdminConsole(
                database: f.db, directory: c.directory, store: c.store, queue: c.queue, authenticator: c.authenticator,
                settings: c.settings, quarantine: QuarantineStore(database: f.db, directory: f.folder.path + "/quarantine"),
                spamDefaults: spamDefaults, logger: AdminFixture.logger)
            try await body(f, console)
        }
    }

    /// Holds a message to `recipients` (local deliveries) with `reason`; its id.
    static func hold(
        _ console: AdminConsole, to recipients: [String], subject: String = "offer", reason: String = "virus: Test.EICAR",
        from sender: String = "spammer@remote.example"
    ) async throws -> String {
        let quarantine = try #require(console.quarantine)
        try console.queue.prepare()
        let (id, file) = try console.queue.openSpoolFile()
        let message =
            "From: <\(sender)>\r\nTo: \(recipients.joined(separator: ", "))\r\nSubject: \(subject)\r\n"
            + "X-Long: one\r\n two\r\n\r\nbody with Subject: not a header\r\n"
        try file.write(Array(message.utf8))
        var deliveries: [QueuedDelivery] = []
        for recipient in recipients {
            let account = try #require(try await console.directory.account(recipient))
            deliveries.append(QueuedDelivery(recipient: recipient, kind: .local, accountID: account.id, target: recipient))
        }
        try await console.queue.quarantine(
            id: id, file: file,
            envelope: QueuedEnvelope(reversePath: try MailAddress(parsing: sender), clientIP: "198.51.100.7", helo: "c"),
            deliveries: deliveries, headers: "X-Virus-Found: Test.EICAR\r\n", reason: reason, in: quarantine)
        return id
    }

    @Test(
        "list, show, release and delete; helpdesk refused; domain admins see only their messages",
        arguments: TestDatabases.dialects)
    func quarantineRoles(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            let mine = try await Self.hold(console, to: ["alice@example.org", "bob@example.org"], subject: "<b>hi</b>")
            let mixed = try await Self.hold(console, to: ["alice@example.org", "carol@other.org"])
            let theirs = try await Self.hold(console, to: ["carol@other.org"], reason: "spam: score 1000.0 (spamassassin)")

            await #expect(throws: AccessDenied.self) { try await console.quarantineEntries(as: f.helpdesk, .init()) }
            await #expect(throws: AccessDenied.self) { try await console.quarantinedMessage(as: f.helpdesk, id: mine) }
            await #expect(throws: AccessDenied.self) { try await console.releaseQuarantined(as: f.helpdesk, id: mine) }
            await #expect(throws: AccessDenied.self) { try await console.deleteQuarantined(as: f.helpdesk, id: mine) }
            let user = try await f.userPrincipal("alice@example.org")
            await #expect(throws: AccessDenied.self) { try await console.quarantineEntries(as: user, .init()) }

            let all = try await console.quarantineEntries(as: f.superadmin, .init())
            #expect(Set(all.items.map(\.id)) == [mine, mixed, theirs])
            // A domain admin: only a message whose every recipient is in example.org.
            #expect(try await console.quarantineEntries(as: f.domainAdmin, .init()).items.map(\.id) == [mine])
            for id in [mixed, theirs] {
                await #expect(throws: AdminError.notFound("quarantined message \(id)")) {
                    try await console.quarantinedMessage(as: f.domainAdmin, id: id)
                }
                await #expect(throws: AdminError.self) { try await console.deleteQuarantined(as: f.domainAdmin, id: id) }
            }
            #expect(try await console.quarantine(as: f.domainAdmin, .delete, ids: [theirs]) == [theirs: "no such message"])

            // Filters: reason, sender, recipient.
            #expect(try await console.quarantineEntries(as: f.superadmin, .init(reason: "SPAM")).items.map(\.id) == [theirs])
            #expect(try await console.quarantineEntries(as: f.superadmin, .init(sender: "nobody")).items.isEmpty)
            #expect(
                Set(try await console.quarantineEntries(as: f.superadmin, .init(recipient: "carol@")).items.map(\.id))
                    == [mixed, theirs])

            // Show: header fields unfolded, the body never parsed, the verdict fields.
            let shown = try await console.quarantinedMessage(as: f.domainAdmin, id: mine)
            #expect(shown.headers.contains(HeaderField(name: "Subject", value: "<b>hi</b>")))
            #expect(shown.headers.contains(HeaderField(name: "X-Long", value: "one two")))
            #expect(!shown.headers.contains { $0.value.contains("not a header") })
            #expect(shown.verdictHeaders == [HeaderField(name: "X-Virus-Found", value: "Test.EICAR")])
            #expect(shown.entry.reason == "virus: Test.EICAR")

            // Release: queued with its deliveries, gone from the quarantine, audited.
            let queued = try await console.releaseQuarantined(as: f.domainAdmin, id: mine)
            let entry = try #require(try await console.queue.entry(queued))
            #expect(Set(entry.recipients.map(\.recipient)) == ["alice@example.org", "bob@example.org"])
            #expect(try await console.quarantine?.entry(mine) == nil)
            await #expect(throws: AdminError.self) { try await console.releaseQuarantined(as: f.superadmin, id: mine) }

            #expect(
                try await console.quarantine(as: f.superadmin, .delete, ids: [theirs, "nope"]) == ["nope": "no such message"])
            #expect(try await console.quarantine?.entry(theirs) == nil)

            let audit = try await console.auditLog(as: f.cli, .init()).items.filter { $0.action.hasPrefix("quarantine.") }
            #expect(audit.map(\.action) == ["quarantine.delete", "quarantine.release"])
            #expect(audit.map(\.actor) == ["admin:root", "admin:dora"])
            #expect(audit[1].target == mine && audit[1].after == "{\"queued\":\"\(queued)\"}")
            #expect(audit[1].before?.contains("\"reason\":\"virus: Test.EICAR\"") == true)
            #expect(audit[0].target == theirs && audit[0].after == nil)
        }
    }

    @Test("quarantine pages by cursor, newest first, every entry once", arguments: TestDatabases.dialects)
    func quarantinePaging(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            var held: [String] = []
            for _ in 0..<7 { held.append(try await Self.hold(console, to: ["alice@example.org"])) }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await console.quarantineEntries(as: f.superadmin, .init(cursor: cursor, limit: 3))
                seen += page.items.map(\.id)
                cursor = page.next
                pages += 1
            } while cursor != nil
            #expect(pages == 3)
            #expect(seen.count == 7 && Set(seen) == Set(held))
            await #expect(throws: AdminError.invalid("invalid cursor")) {
                try await console.quarantineEntries(as: f.superadmin, .init(cursor: "!!"))
            }
        }
    }

    @Test(
        "the database filters and pages; a domain admin pages through only messages all of whose recipients are theirs",
        arguments: TestDatabases.dialects)
    func scopedQuarantinePaging(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            let shapes: [[String]] = [
                ["alice@example.org"], ["carol@other.org"], ["alice@example.org", "carol@other.org"], ["bob@example.org"],
            ]
            var held: [(id: String, to: [String])] = []
            for n in 0..<12 {
                let to = shapes[n % shapes.count]
                held.append((try await Self.hold(console, to: to, reason: n % 3 == 0 ? "virus: X" : "spam: 9.0"), to))
            }
            let theirs = Set(held.filter { $0.to.allSatisfy { $0.hasSuffix("@example.org") } }.map(\.id))
            var seen: [QuarantineEntry] = []
            var cursor: String?
            repeat {
                let page = try await console.quarantineEntries(as: f.domainAdmin, .init(cursor: cursor, limit: 2))
                #expect(page.items.count <= 2)
                seen += page.items
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == theirs.count && Set(seen.map(\.id)) == theirs)
            // Newest first.
            #expect(zip(seen, seen.dropFirst()).allSatisfy { ($0.heldAt, $0.id) > ($1.heldAt, $1.id) })
            // Each filter is the database's, case-insensitive, LIKE's wildcards taken literally.
            let carol = try await console.quarantineEntries(as: f.superadmin, .init(recipient: "CAROL@", limit: 100))
            #expect(Set(carol.items.map(\.id)) == Set(held.filter { $0.to.contains("carol@other.org") }.map(\.id)))
            let virus = try await console.quarantineEntries(as: f.superadmin, .init(reason: "virus", limit: 100))
            #expect(virus.items.count == 4)
            #expect(try await console.quarantineEntries(as: f.superadmin, .init(recipient: "%", limit: 100)).items.isEmpty)
            #expect(try await console.quarantineEntries(as: f.superadmin, .init(sender: "_pammer", limit: 100)).items.isEmpty)
            let sender = try await console.quarantineEntries(as: f.superadmin, .init(sender: "SPAMMER@remote", limit: 100))
            #expect(sender.items.count == 12)
        }
    }

    @Test("two releases of one held message at once queue it once", arguments: TestDatabases.dialects)
    func concurrentRelease(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            let quarantine = try #require(console.quarantine)
            for _ in 0..<3 {
                let id = try await Self.hold(console, to: ["alice@example.org"])
                let before = try await console.queue.size().messages
                async let first = try console.queue.release(id, from: quarantine)
                async let second = try console.queue.release(id, from: quarantine)
                let queued = [try await first, try await second].compactMap { $0 }
                #expect(queued.count == 1)
                #expect(try await console.queue.size().messages == before + 1)
                #expect(try await quarantine.entry(id) == nil)
                #expect(!FileManager.default.fileExists(atPath: quarantine.path(of: id)))
            }
        }
    }

    @Test("filter settings: validation, scoping, inheritance and audit", arguments: TestDatabases.dialects)
    func filterSettings(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            await #expect(throws: AccessDenied.self) { try await console.filterSettings(as: f.helpdesk) }
            await #expect(throws: AccessDenied.self) {
                try await console.setFilterSettings(as: f.helpdesk, scope: "@example.org", .init(junkThreshold: 3))
            }
            let user = try await f.userPrincipal("alice@example.org")
            await #expect(throws: AccessDenied.self) {
                try await console.setFilterSettings(as: user, scope: "alice@example.org", .init(junkThreshold: 3))
            }
            // A domain admin, outside their domain: refused whether or not it exists.
            for scope in ["@other.org", "carol@other.org", "nobody@other.org"] {
                await #expect(throws: AccessDenied.self) {
                    try await console.setFilterSettings(as: f.domainAdmin, scope: scope, .init(junkThreshold: 3))
                }
            }
            // Validation.
            for bad in [
                SpamPreferences(junkThreshold: .nan), SpamPreferences(junkThreshold: .infinity),
                SpamPreferences(rejectThreshold: 1e6), SpamPreferences(junkThreshold: 8, rejectThreshold: 6),
            ] {
                await #expect(throws: AdminError.self) {
                    try await console.setFilterSettings(as: f.superadmin, scope: "@example.org", bad)
                }
            }
            await #expect(throws: AdminError.self) {
                try await console.setFilterSettings(as: f.superadmin, scope: "example.org", .init(junkThreshold: 3))
            }
            await #expect(throws: AdminError.notFound("account nobody@example.org")) {
                try await console.setFilterSettings(as: f.superadmin, scope: "nobody@example.org", .init(junkThreshold: 3))
            }
            await #expect(throws: AdminError.notFound("domain unknown.example")) {
                try await console.setFilterSettings(as: f.superadmin, scope: "@unknown.example", .init(junkThreshold: 3))
            }

            // Inheritance: account over domain over site.
            let domain = try await console.setFilterSettings(
                as: f.domainAdmin, scope: "@Example.org", .init(junkThreshold: 7, rejectThreshold: 20))
            #expect(domain.scope == "@example.org")
            #expect(domain.effective == SpamPreferences(junkThreshold: 7, rejectThreshold: 20, junk: true))
            let alice = try await console.setFilterSettings(
                as: f.domainAdmin, scope: "Alice@example.org", .init(junk: false))
            #expect(alice.inherited == SpamPreferences(junkThreshold: 7, rejectThreshold: 20, junk: true))
            #expect(alice.effective == SpamPreferences(junkThreshold: 7, rejectThreshold: 20, junk: false))
            try await console.setFilterSettings(as: f.superadmin, scope: "@other.org", .init(junkThreshold: 4))
            #expect(try await console.filterSettings(as: f.domainAdmin).map(\.scope) == ["@example.org", "alice@example.org"])
            #expect(try await console.filterSettings(as: f.superadmin).count == 3)
            // What delivery resolves is what the console shows.
            #expect(
                try await SpamSettingsStore(database: f.db).preferences(for: ["alice@example.org"])
                    == [SpamPreferences(junkThreshold: 7, rejectThreshold: 20, junk: false)])

            try await console.deleteFilterSettings(as: f.domainAdmin, scope: "alice@example.org")
            await #expect(throws: AdminError.notFound("spam settings of alice@example.org")) {
                try await console.deleteFilterSettings(as: f.domainAdmin, scope: "alice@example.org")
            }
            #expect(try await console.filterSettings(as: f.superadmin, scope: "alice@example.org").own.isEmpty)

            let audit = try await console.auditLog(as: f.cli, .init()).items.filter { $0.action.hasPrefix("filter.") }
            #expect(
                audit.map(\.action) == [
                    "filter.settings.delete", "filter.settings.set", "filter.settings.set", "filter.settings.set",
                ])
            #expect(audit[0].before == "{\"junk\":false}" && audit[0].after == nil)
            #expect(audit[3].target == "@example.org" && audit[3].before == nil)
            #expect(audit[3].after == "{\"junkThreshold\":7,\"rejectThreshold\":20}")
        }
    }

    @Test("a mail user sets their own threshold and Junk delivery, never the reject threshold", arguments: TestDatabases.dialects)
    func selfService(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            try await console.setFilterSettings(as: f.superadmin, scope: "@example.org", .init(junkThreshold: 6, junk: false))
            try await console.setFilterSettings(as: f.superadmin, scope: "alice@example.org", .init(rejectThreshold: 30))
            let alice = try await f.userPrincipal("alice@example.org")
            let before = try await console.ownSpamSettings(as: alice)
            #expect(before.scope == "alice@example.org")
            #expect(before.inherited == SpamPreferences(junkThreshold: 6, junk: false))
            #expect(before.effective == SpamPreferences(junkThreshold: 6, rejectThreshold: 30, junk: false))

            let after = try await console.setOwnSpamSettings(as: alice, junkThreshold: 3.5, junk: true)
            #expect(after.own == SpamPreferences(junkThreshold: 3.5, rejectThreshold: 30, junk: true))
            await #expect(throws: AdminError.self) {
                try await console.setOwnSpamSettings(as: alice, junkThreshold: 31, junk: true)
            }
            await #expect(throws: AdminError.self) {
                try await console.setOwnSpamSettings(as: alice, junkThreshold: .nan, junk: nil)
            }
            #expect(
                try await SpamSettingsStore(database: f.db).preferences(for: ["alice@example.org", "bob@example.org"])
                    == [
                        SpamPreferences(junkThreshold: 3.5, rejectThreshold: 30, junk: true),
                        SpamPreferences(junkThreshold: 6, junk: false),
                    ])
            // Administrators have no "own" spam settings.
            await #expect(throws: AccessDenied.self) {
                try await console.setOwnSpamSettings(as: f.superadmin, junkThreshold: 1, junk: nil)
            }
            // Inheriting again keeps the administrator's reject threshold.
            try await console.setOwnSpamSettings(as: alice, junkThreshold: nil, junk: nil)
            #expect(try await console.ownSpamSettings(as: alice).own == SpamPreferences(rejectThreshold: 30))

            let audit = try await console.auditLog(as: f.cli, .init(actor: "user:alice@example.org")).items
            #expect(audit.map(\.action) == ["filter.settings.set", "filter.settings.set"])
            #expect(audit[1].after == "{\"junk\":true,\"junkThreshold\":3.5,\"rejectThreshold\":30}")
            #expect(audit.allSatisfy { $0.target == "alice@example.org" && $0.channel == .web })
        }
    }

    @Test("no scanner configured: nothing inherited from the site")
    func noScanner() async throws {
        try await Self.with(.sqlite, spamDefaults: nil) { f, console in
            let settings = try await console.filterSettings(as: f.superadmin, scope: "@example.org")
            #expect(settings.inherited.isEmpty && settings.effective.isEmpty)
            #expect(console.spamDefaults == nil)
        }
    }
}
