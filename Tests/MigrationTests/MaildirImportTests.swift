import Core
import Directory
import Foundation
import IMAP
import Logging
import PostaTestSupport
import Store
import Testing

@testable import Migration

/// `posta import maildir` on a tree whose metadata Dovecot 2.3 wrote (Fixtures/dovecot-maildir: uidlists,
/// keywords, subscriptions, the file names with their flags), with message bodies put under those names.
@Suite("Dovecot Maildir import")
struct MaildirImportTests {
    @Test(
        "UIDVALIDITY, UIDs, next UID, flags, keywords, dates, subscriptions and POP3 UIDLs are kept",
        arguments: TestDatabases.dialects)
    func keepsWhatClientsKnow(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let summary = try await f.run()
            #expect(summary.imported == 8)
            #expect(summary.skippedUsers.map(\.what) == ["carol@example.org"])
            #expect(summary.users.map(\.address) == ["alice@example.org"])

            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(inbox.uidValidity == 1_796_528_201)
            #expect(inbox.uidNext == 5)
            let messages = try await f.store.messages(mailboxID: inbox.id)
            #expect(messages.map(\.uid) == [1, 2, 3, 4])
            #expect(
                messages.map(\.flags) == [
                    ["\\Seen"], ["\\Answered", "\\Flagged", "\\Seen"], ["$Junk", "Work"], ["Work", "Privat"],
                ])
            #expect(messages.map(\.internalDate) == [1_700_000_001, 1_700_000_002, 1_700_000_003, 1_700_000_004])
            for message in messages {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: message.path))
                #expect(bytes == Data(ImportFixture.body("INBOX", message.uid, size: bytes.count).utf8))
                #expect(message.size == Int64(bytes.count))
            }
            #expect(inbox.recentCount == 0)

            let lists = try #require(try await f.store.mailbox(accountID: alice.id, name: "Lists/posta"))
            #expect((lists.uidValidity, lists.uidNext) == (1_796_528_202, 3))
            #expect(try await f.store.messages(mailboxID: lists.id).map(\.flags) == [["$Forwarded"], []])
            let drafts = try #require(try await f.store.mailbox(accountID: alice.id, name: "Entwürfe"))
            #expect((drafts.uidValidity, drafts.uidNext) == (1_796_528_203, 3))
            #expect(try await f.store.messages(mailboxID: drafts.id).map(\.flags) == [[], ["\\Deleted", "\\Draft"]])
            let sent = try #require(try await f.store.mailbox(accountID: alice.id, name: "Sent"))
            #expect((sent.uidValidity, sent.uidNext, sent.messageCount) == (1_796_528_204, 1, 0))

            let subscriptions = try await f.store.subscriptions(accountID: alice.id)
            #expect(subscriptions.contains("Lists/posta") && subscriptions.contains("Entwürfe"))

            // The UIDLs Dovecot's POP3 server showed (Fixtures/README.md).
            #expect(
                try await f.store.pop3UIDLs(mailboxID: inbox.id) == [
                    1: "000000016b14d849", 2: "000000026b14d849", 3: "000000036b14d849", 4: "000000046b14d849",
                ])
            // A mailbox created later does not repeat an imported UIDVALIDITY.
            let later = try await f.store.createMailbox(accountID: alice.id, name: "Later")
            #expect(later.uidValidity > 1_796_528_204)
        }
    }

    @Test("a second run imports nothing twice", arguments: TestDatabases.dialects)
    func idempotent(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            _ = try await f.run()
            let files = f.mailFiles()
            let usage = try await f.store.storageUsage(accountID: alice.id)
            let again = try await f.run()
            #expect(again.imported == 0)
            #expect(again.alreadyPresent == 8)
            #expect(again.users.first?.subscriptionsAdded == 0)
            #expect(f.mailFiles() == files)
            #expect(try await f.store.storageUsage(accountID: alice.id) == usage)
            #expect(usage.messageCount == 8)
        }
    }

    @Test("a dry run reports what it would do and writes nothing", arguments: TestDatabases.dialects)
    func dryRun(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let before = try await f.store.mailboxes(accountID: alice.id)
            let files = f.mailFiles()
            let summary = try await f.run(dryRun: true)
            #expect(summary.dryRun)
            #expect(summary.imported == 8)
            #expect(summary.users.first?.mailboxes.first { $0.name == "INBOX" }?.action == "adopt")
            #expect(summary.users.first?.mailboxes.first { $0.name == "Lists/posta" }?.action == "create")
            #expect(summary.users.first?.subscriptionsAdded == 2)
            #expect(try await f.store.mailboxes(accountID: alice.id) == before)
            #expect(f.mailFiles() == files)
            #expect(
                try await f.store.subscriptions(accountID: alice.id) == ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"])
            // The real run then does what the dry run said.
            #expect(try await f.run().imported == 8)
        }
    }

    @Test("a mailbox holding messages under another UIDVALIDITY is refused and reported", arguments: TestDatabases.dialects)
    func refusesOtherUIDValidity(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("Subject: x\r\n\r\nx\r\n".utf8))
            let summary = try await f.run()
            let user = try #require(summary.users.first)
            #expect(user.mailboxes.first { $0.name == "INBOX" }?.action == "refuse")
            #expect(user.skipped.contains { $0.what == "mailbox INBOX" && $0.reason.contains("UIDVALIDITY") })
            #expect(summary.imported == 4)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(inbox.messageCount == 1)
        }
    }

    @Test("a UID expunged in Posta, or holding a message Posta stored, is not imported again", arguments: TestDatabases.dialects)
    func conflicts(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            _ = try await f.run()
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(try await f.store.expunge(mailboxID: inbox.id, uids: [2]) == [2])
            // Posta stores a message (UID 5); then the old server's uidlist lists a file under that UID.
            let posta = try await f.store.append(
                accountID: alice.id, mailbox: "INBOX", data: Array("Subject: posta\r\n\r\nx\r\n".utf8))
            #expect(posta.uid == 5)
            let base = "1796528300.M1P1.vm,S=20,W=20"
            try Data("Subject: late\r\n\r\nx\r\n".utf8).write(
                to: URL(fileURLWithPath: f.maildir("alice") + "/cur/" + base + ":2,"))
            let list = f.maildir("alice") + "/dovecot-uidlist"
            let text = try String(contentsOfFile: list, encoding: .utf8)
            try (text + "5 :\(base)\n").write(toFile: list, atomically: true, encoding: .utf8)

            let dry = try await f.run(dryRun: true)
            #expect(dry.users.first?.mailboxes.first?.skipped == 2)
            let summary = try await f.run()
            let user = try #require(summary.users.first)
            #expect(summary.imported == 0)
            #expect(user.mailboxes.first?.skipped == 2)
            #expect(user.skipped.contains(MaildirImportSkip("INBOX: UID 2", "UID 2 was expunged in Posta")))
            #expect(user.skipped.contains(MaildirImportSkip("INBOX: UID 5", "UID 5 already holds another message")))
            #expect(try await f.store.messages(mailboxID: inbox.id).map(\.uid) == [1, 3, 4, 5])
        }
    }

    @Test("a file whose size is not the one its name gives is reported and skipped", arguments: TestDatabases.dialects)
    func truncatedFilesAreSkipped(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let cur = f.maildir("alice") + "/cur"
            let name = try #require(
                try FileManager.default.contentsOfDirectory(atPath: cur).first { $0.hasPrefix("1796528201.M544250P12611") })
            let handle = try #require(FileHandle(forUpdatingAtPath: cur + "/" + name))
            try handle.truncate(atOffset: 100)  // the name says S=142
            try handle.close()
            let summary = try await f.run()
            #expect(summary.imported == 7)
            let user = try #require(summary.users.first)
            #expect(
                user.skipped.contains(
                    MaildirImportSkip(
                        "INBOX: \(name)",
                        "the file has 100 bytes where its name says 142: truncated, damaged or compressed; not imported")))
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(try await f.store.messages(mailboxID: inbox.id).map(\.uid) == [1, 2, 4])
        }
    }

    @Test(
        "UIDLs follow pop3_uidl_format when the uidlist records none; unlisted files get new UIDs",
        arguments: [Database.Dialect.sqlite])
    func uidlFormatAndUnlisted(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let inboxPath = f.maildir("alice") + "/dovecot-uidlist"
            let text = try String(contentsOfFile: inboxPath, encoding: .utf8)
            // Drop the P fields (pop3_save_uidl = no) and the record of UID 4 (a file Dovecot has not listed yet).
            let stripped = text.split(separator: "\n").filter { !$0.hasPrefix("4 ") }.map {
                $0.replacingOccurrences(of: #" P[0-9a-f]+ "#, with: " ", options: .regularExpression)
            }
            try (stripped.joined(separator: "\n") + "\n").write(toFile: inboxPath, atomically: true, encoding: .utf8)
            let summary = try await f.run(pop3UIDLFormat: "%v.%u")
            #expect(summary.imported == 8)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(
                try await f.store.pop3UIDLs(mailboxID: inbox.id) == [
                    1: "1796528201.1", 2: "1796528201.2", 3: "1796528201.3",
                ])
            // The unlisted file got the next UID, with its flags.
            let messages = try await f.store.messages(mailboxID: inbox.id)
            #expect(messages.map(\.uid) == [1, 2, 3, 5])
            #expect(messages.last?.flags == ["Work", "Privat"])
            #expect(try await f.run().imported == 0)
        }
    }
}

@Suite("Maildir layouts of an import root")
struct MaildirLayoutTests {
    @Test("variables must be whole components and name a user")
    func patterns() {
        #expect(MaildirLayout("%d/%n/Maildir")?.components == ["%d", "%n", "Maildir"])
        #expect(MaildirLayout("users/%u") != nil)
        #expect(MaildirLayout("%d/x%n") == nil)
        #expect(MaildirLayout("%n/Maildir") == nil)
        #expect(MaildirLayout("%d/../%n") == nil)
    }

    @Test("users are found where the pattern says, hidden and non-Maildir folders left out")
    func discovery() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for path in [
            "users/a@example.org/cur", "users/b@example.net/cur", "users/.hidden@x.org/cur", "users/noat/cur", "users/c@x.org",
        ] {
            try FileManager.default.createDirectory(atPath: folder.path + "/" + path, withIntermediateDirectories: true)
        }
        let found = try #require(MaildirLayout("users/%u")).users(root: folder.path)
        #expect(found.map(\.address) == ["a@example.org", "b@example.net"])
        #expect(found.first?.maildir == folder.path + "/users/a@example.org")
    }
}

/// A site with a directory and a store, and a Dovecot-style tree under `root`: alice@example.org (the
/// fixture's Maildir) and carol@example.org (a Maildir with no Posta account).
struct ImportFixture: Sendable {
    let database: Database
    let directory: Directory
    let store: MailStore
    let root: String
    let data: String

    static let logger: Logger = {
        var logger = Logger(label: "import-test")
        logger.logLevel = .error
        return logger
    }()

    static func with(_ dialect: Database.Dialect, _ body: (ImportFixture) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let store = MailStore(database: db, root: folder.path + "/data/mail", nodeID: "node1", logger: logger)
            let fixture = ImportFixture(
                database: db, directory: directory, store: store, root: folder.path + "/vmail", data: folder.path + "/data")
            try fixture.makeTree()
            try await body(fixture)
        }
    }

    func account(_ address: String) async throws -> Account {
        let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}secret-password"))
        try await store.provision(account: account)
        return account
    }

    func run(dryRun: Bool = false, pop3UIDLFormat: String = "%08Xu%08Xv") async throws -> MaildirImportSummary {
        let importer = DovecotMaildirImporter(
            store: store, directory: directory, decodeModifiedUTF7: { ModifiedUTF7.decode(Array($0.utf8)) })
        return try await importer.run(
            root: root, options: .init(dryRun: dryRun, pop3UIDLFormat: pop3UIDLFormat))
    }

    func maildir(_ user: String) -> String { root + "/example.org/\(user)/Maildir" }

    /// The message body put under a fixture file name: names the mailbox and UID.
    static func body(_ mailbox: String, _ uid: UInt32) -> String {
        "Subject: \(mailbox) \(uid)\r\nFrom: a@example.org\r\n\r\nbody of \(mailbox) \(uid)\r\n"
    }

    /// The same, `size` bytes long (the `,S=` of a fixture name): the subject, then a body of `x`s.
    static func body(_ mailbox: String, _ uid: UInt32, size: Int) -> String {
        let head = "Subject: \(mailbox) \(uid)\r\n\r\n"
        return head + String(repeating: "x", count: max(0, size - head.utf8.count - 2)) + "\r\n"
    }

    /// Every file under the data folder's mail root, with its size.
    func mailFiles() -> [String: Int] {
        var out: [String: Int] = [:]
        let base = data + "/mail"
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [:] }
        while let path = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                out[path] = (try? Data(contentsOf: URL(fileURLWithPath: base + "/" + path)))?.count ?? -1
            }
        }
        return out
    }

    /// Lays out Fixtures/dovecot-maildir as Dovecot had it: files.txt names the message files, the
    /// `<folder>.dovecot-*` files go into their folders.
    func makeTree() throws {
        let manager = FileManager.default
        let alice = maildir("alice")
        let fixtures = MigrationFixtures.folder.appendingPathComponent("dovecot-maildir").path
        let folders = ["": "INBOX", ".Entw&APw-rfe": "Entwuerfe", ".Lists.posta": "Lists.posta", ".Sent": "Sent"]
        for (folder, prefix) in folders {
            let path = folder.isEmpty ? alice : alice + "/" + folder
            for sub in ["cur", "new", "tmp"] {
                try manager.createDirectory(atPath: path + "/" + sub, withIntermediateDirectories: true)
            }
            for kind in ["dovecot-uidlist", "dovecot-keywords"] {
                let source = fixtures + "/" + prefix + "." + kind
                if manager.fileExists(atPath: source) { try manager.copyItem(atPath: source, toPath: path + "/" + kind) }
            }
        }
        try manager.copyItem(atPath: fixtures + "/subscriptions", toPath: alice + "/subscriptions")
        // UIDs by base name, from the uidlists.
        var uids: [String: (String, UInt32)] = [:]
        for (folder, prefix) in folders {
            let name = folder.isEmpty ? "INBOX" : folder
            for line in try MigrationFixtures.lines("dovecot-maildir/\(prefix).dovecot-uidlist").dropFirst() {
                let fields = line.split(separator: " ")
                guard let uid = UInt32(fields[0]), let file = line.split(separator: ":").dropFirst().first else { continue }
                uids[String(file)] = (name, uid)
            }
        }
        for relative in try MigrationFixtures.lines("dovecot-maildir/files.txt") {
            let path = alice + "/" + relative
            let base = MaildirMessageName.baseName(of: String(relative.split(separator: "/").last!))
            let (mailbox, uid) = try #require(uids[base])
            let size = try #require(MaildirMessageName.parse(String(relative.split(separator: "/").last!)).value.size)
            let bytes = Data(Self.body(mailbox == "" ? "INBOX" : mailbox, uid, size: Int(size)).utf8)
            #expect(bytes.count == Int(size))
            try bytes.write(to: URL(fileURLWithPath: path))
            let date = Date(timeIntervalSince1970: mailbox == "INBOX" ? 1_700_000_000 + Double(uid) : 1_600_000_000)
            try manager.setAttributes([.modificationDate: date], ofItemAtPath: path)
        }
        let carol = maildir("carol")
        for sub in ["cur", "new", "tmp"] {
            try manager.createDirectory(atPath: carol + "/" + sub, withIntermediateDirectories: true)
        }
        try Data(Self.body("INBOX", 1).utf8).write(to: URL(fileURLWithPath: carol + "/new/1600000000.M1P1.host"))
    }
}
