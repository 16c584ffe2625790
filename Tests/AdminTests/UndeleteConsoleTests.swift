import Admin
import Core
import PostaTestSupport
import Store
import Testing

/// `AdminConsole.keptMessages` / `restoreKept`: who may list and restore an account's deleted
/// messages, what a listing shows, the audit row, and the message back with its flags.
@Suite struct UndeleteConsoleTests {
    /// `fixture`'s site with a console whose store keeps deleted messages for 14 days.
    static func with(_ dialect: Database.Dialect, _ body: (AdminFixture, AdminConsole) async throws -> Void) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let store = MailStore(
                database: f.db, root: f.folder.path + "/mail", nodeID: "t", undeleteRetention: 14 * 86400,
                logger: AdminFixture.logger)
            let console = AdminConsole(
                database: f.db, directory: c.directory, store: store, queue: c.queue, authenticator: c.authenticator,
                settings: c.settings, logger: AdminFixture.logger)
            try await body(f, console)
        }
    }

    /// Appends a message to `address`'s `folder` and expunges it; its mailbox id.
    @discardableResult
    static func deleted(
        _ console: AdminConsole, _ address: String, folder: String = "INBOX", subject: String, flags: [String] = []
    ) async throws -> Int64 {
        let account = try #require(try await console.directory.account(address))
        if try await console.store.mailbox(accountID: account.id, name: folder) == nil {
            _ = try await console.store.createMailboxTree(accountID: account.id, name: folder)
        }
        let data = Array("From: Bob <bob@example.org>\r\nSubject: \(subject)\r\n\r\nbody\r\n".utf8)
        let added = try await console.store.append(
            accountID: account.id, mailbox: folder, data: data, flags: flags + ["\\Deleted"])
        _ = try await console.store.expunge(mailboxID: added.mailboxID, uids: [added.uid])
        return added.mailboxID
    }

    static func user(_ console: AdminConsole, _ address: String) async throws -> Principal {
        let account = try #require(try await console.directory.account(address))
        return Principal(.user(account), channel: .web, clientIP: "192.0.2.1")
    }

    @Test(
        "helpdesk, domain admin and the owner may; another domain's admin and another user may not",
        arguments: TestDatabases.dialects)
    func permissions(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            try await Self.deleted(console, "alice@example.org", subject: "lost")
            try await Self.deleted(console, "carol@other.org", subject: "theirs")
            for principal in [f.helpdesk, f.domainAdmin, f.superadmin, try await Self.user(console, "alice@example.org")] {
                let kept = try await console.keptMessages(as: principal, address: "alice@example.org")
                #expect(kept.items.map(\.subject) == ["lost"])
            }
            // dora administers example.org only.
            await #expect(throws: AccessDenied.self) {
                try await console.keptMessages(as: f.domainAdmin, address: "carol@other.org")
            }
            await #expect(throws: AccessDenied.self) {
                try await console.restoreKept(as: f.domainAdmin, address: "carol@other.org", .init())
            }
            let bob = try await Self.user(console, "bob@example.org")
            await #expect(throws: AccessDenied.self) { try await console.keptMessages(as: bob, address: "alice@example.org") }
            await #expect(throws: AccessDenied.self) {
                try await console.restoreKept(as: bob, address: "alice@example.org", .init())
            }
            // Nothing was restored by the refused calls.
            #expect(try await console.keptMessages(as: f.superadmin, address: "carol@other.org").items.count == 1)
            #expect(try await console.keptMessages(as: f.superadmin, address: "alice@example.org").items.count == 1)
        }
    }

    @Test("the listing shows sender, subject and folder, filters by folder, newest first", arguments: TestDatabases.dialects)
    func listing(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            try await Self.deleted(console, "alice@example.org", subject: "first")
            try await Self.deleted(console, "alice@example.org", folder: "Projects", subject: "second")
            let all = try await console.keptMessages(as: f.helpdesk, address: "alice@example.org")
            #expect(all.items.map(\.subject) == ["second", "first"])
            #expect(all.items.first?.from == "Bob <bob@example.org>")
            #expect(all.items.first?.message.mailboxName == "Projects")
            #expect(all.folders == ["INBOX", "Projects"] && !all.truncated && all.retention == 14 * 86400)
            let projects = try await console.keptMessages(
                as: f.helpdesk, address: "alice@example.org", DeletedMessageFilter(mailbox: "Projects"))
            #expect(projects.items.map(\.subject) == ["second"] && projects.folders == ["INBOX", "Projects"])
            let one = try await console.keptMessages(as: f.helpdesk, address: "alice@example.org", limit: 1)
            #expect(one.items.map(\.subject) == ["second"] && one.truncated)
        }
    }

    @Test(
        "a helpdesk restore puts the message back with its flags and writes an audit row",
        arguments: TestDatabases.dialects)
    func restore(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f, console in
            let inbox = try await Self.deleted(console, "alice@example.org", subject: "lost", flags: ["\\Seen", "$Work"])
            try await Self.deleted(console, "alice@example.org", folder: "Projects", subject: "other")
            #expect(try await console.store.messages(mailboxID: inbox).isEmpty)
            let id = try #require(
                try await console.keptMessages(as: f.helpdesk, address: "alice@example.org").items.last?.message.id)

            let restored = try await console.restoreKept(
                as: f.helpdesk, address: "alice@example.org", DeletedMessageFilter(ids: [id]))
            #expect(restored.map(\.mailboxName) == ["INBOX"])
            let back = try await console.store.messages(mailboxID: inbox)
            #expect(back.count == 1 && back.first?.flags == ["\\Seen", "$Work"])
            #expect(
                try await console.keptMessages(as: f.helpdesk, address: "alice@example.org").items.map(\.subject) == ["other"])

            let audit = try await console.auditLog(as: f.superadmin, AuditFilter(action: "message.restore")).items
            #expect(audit.count == 1)
            #expect(audit.first?.actor == "admin:hal" && audit.first?.target == "alice@example.org")
            #expect(audit.first?.after?.contains("\"count\":1") == true)

            // The owner restores a folder's messages themself.
            let alice = try await Self.user(console, "alice@example.org")
            let mine = try await console.restoreKept(
                as: alice, address: "alice@example.org", DeletedMessageFilter(mailbox: "Projects"))
            #expect(mine.map(\.mailboxName) == ["Projects"])
            #expect(try await console.keptMessages(as: alice, address: "alice@example.org").items.isEmpty)
            #expect(try await console.auditLog(as: f.superadmin, AuditFilter(action: "message.restore")).items.count == 2)
        }
    }
}
