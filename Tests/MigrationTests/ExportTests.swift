import Core
import Directory
import Foundation
import IMAP
import Logging
import PostaTestSupport
import Store
import Testing

@testable import Migration

/// `AccountExporter` on a store of each dialect: what it writes is read back with the parsers of the same
/// formats and compared with the index.
@Suite struct ExportTests {
    static let logger: Logger = {
        var logger = Logger(label: "export-test")
        logger.logLevel = .error
        return logger
    }()

    struct Site {
        let store: MailStore
        let accountID: Int64
        let folder: String
        var exporter: AccountExporter {
            AccountExporter(store: store, encodeLevel: { String(decoding: ModifiedUTF7.encode($0), as: UTF8.self) })
        }
    }

    /// An account with mail in INBOX (one message expunged, so UIDs have a gap), `Lists/posta` and `Entwürfe`,
    /// flags and keywords set, two subscriptions.
    static func with(_ dialect: Database.Dialect, _ body: (Site) async throws -> Void) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "node1", logger: logger)
            let account = try await directory.addAccount(
                "alice@example.org", password: try StoredPassword("{PLAIN}secret-password"))
            try await store.provision(account: account)
            let id = account.id
            for name in ["Lists/posta", "Entwürfe"] { _ = try await store.createMailboxTree(accountID: id, name: name) }
            try await store.setSubscribed(accountID: id, name: "Entwürfe", true)
            for n in 1...4 {
                try await store.append(
                    accountID: id, mailbox: "INBOX",
                    data: Array("Return-Path: <bob@example.net>\r\nSubject: m\(n)\r\n\r\nFrom the start \(n)\r\n".utf8),
                    flags: n == 1 ? ["\\Seen", "$Forwarded"] : n == 3 ? ["\\Flagged", "\\Answered", "Work"] : [],
                    internalDate: 1_700_000_000 + Int64(n) * 3600)
            }
            let inbox = try #require(try await store.mailbox(accountID: id, name: "INBOX"))
            _ = try await store.expunge(mailboxID: inbox.id, uids: [2])
            try await store.append(
                accountID: id, mailbox: "Lists/posta", data: Array("Subject: list\r\n\r\nx\r\n".utf8), flags: ["\\Draft"],
                internalDate: 1_600_000_000)
            try await body(Site(store: store, accountID: id, folder: folder.path))
        }
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func mtime(_ path: String) throws -> Int64 {
        let date = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        return Int64(date.timeIntervalSince1970)
    }

    @Test("a Maildir export has Posta's UIDVALIDITY, UIDs, flags, keywords and dates", arguments: TestDatabases.dialects)
    func maildir(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { site in
            let destination = site.folder + "/out"
            let summary = try await site.exporter.export(
                accountID: site.accountID, account: "alice@example.org", to: destination, format: .maildir)
            let mailboxes = try await site.store.mailboxes(accountID: site.accountID)
            #expect(summary.messages == 4 && summary.folders.count == mailboxes.count && mailboxes.count >= 4)
            #expect(summary.problems.isEmpty)
            for box in mailboxes {
                let folder = try #require(summary.folders.first { $0.name == box.name })
                let path = folder.path.isEmpty ? destination : destination + "/" + folder.path
                let list = try #require(DovecotUIDList.parse(try Self.read(path + "/dovecot-uidlist")).value)
                #expect(list.uidValidity == box.uidValidity)
                #expect(list.nextUID == box.uidNext)
                let keywords =
                    (try? Self.read(path + "/dovecot-keywords")).map { DovecotKeywords.parse($0).value } ?? DovecotKeywords()
                let files = try FileManager.default.contentsOfDirectory(atPath: path + "/cur")
                let messages = try await site.store.messages(mailboxID: box.id)
                #expect(list.records.map(\.uid) == messages.map(\.uid))
                // POP3 unique-ids as Posta's POP3 gives them, for INBOX (the POP3 maildrop) only.
                #expect(
                    list.records.map(\.pop3UIDL)
                        == messages.map { box.name == "INBOX" ? "\(box.uidValidity).\($0.uid)" : nil })
                #expect(files.count == messages.count)
                for (record, message) in zip(list.records, messages) {
                    let file = try #require(files.first { MaildirMessageName.baseName(of: $0) == record.fileName })
                    let name = MaildirMessageName.parse(file)
                    #expect(name.problems.isEmpty)
                    #expect(Set(name.value.flags(keywords: keywords).value) == Set(message.flags))
                    #expect(try Self.read(path + "/cur/" + file) == (try Self.read(message.path)))
                    #expect(try Self.mtime(path + "/cur/" + file) == message.internalDate)
                }
                if !folder.path.isEmpty {
                    #expect(FileManager.default.fileExists(atPath: path + "/maildirfolder"))
                    let parsed = MaildirFolderName.parse(folder.path, decodeModifiedUTF7: { ModifiedUTF7.decode(Array($0.utf8)) })
                    #expect(parsed.value?.levels.joined(separator: "/") == box.name)
                }
            }
            let inbox = try #require(summary.folders.first { $0.name == "INBOX" })
            #expect(inbox.messages == 3 && inbox.nextUID == 5 && inbox.keywords == ["$Forwarded", "Work"])
            #expect(summary.folders.first { $0.name == "Entwürfe" }?.path == ".Entw&APw-rfe")
            let subscriptions = DovecotSubscriptions.parse(try Self.read(destination + "/subscriptions"))
            #expect(subscriptions.value.mailboxes.contains(["Entw&APw-rfe"]))
            #expect(subscriptions.value.mailboxes.count == summary.subscriptions)
        }
    }

    @Test("an export refuses a destination that is not empty", arguments: TestDatabases.dialects)
    func refusesNonEmptyDestination(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { site in
            let destination = site.folder + "/out"
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: destination + "/keep", contents: Data("x".utf8))
            await #expect(throws: ExportError.self) {
                try await site.exporter.export(
                    accountID: site.accountID, account: "alice@example.org", to: destination, format: .maildir)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["keep"])
            await #expect(throws: ExportError.self) {
                try await site.exporter.export(
                    accountID: site.accountID, account: "alice@example.org", to: site.folder + "/other", format: .mbox,
                    folder: "Nope")
            }
        }
    }

    @Test("--folder exports one mailbox, beside an empty INBOX", arguments: TestDatabases.dialects)
    func oneFolder(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { site in
            let destination = site.folder + "/out"
            let summary = try await site.exporter.export(
                accountID: site.accountID, account: "alice@example.org", to: destination, format: .maildir,
                folder: "Lists/posta")
            #expect(summary.folders.map(\.name) == ["Lists/posta"] && summary.messages == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: destination + "/cur").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: destination + "/.Lists.posta/cur").count == 1)
            #expect(DovecotSubscriptions.parse(try Self.read(destination + "/subscriptions")).value.mailboxes.isEmpty)
        }
    }

    @Test("an mbox export reads back with the same messages, flags and dates", arguments: TestDatabases.dialects)
    func mbox(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { site in
            let destination = site.folder + "/out"
            let summary = try await site.exporter.export(
                accountID: site.accountID, account: "alice@example.org", to: destination, format: .mbox)
            #expect(summary.messages == 4)
            for box in try await site.store.mailboxes(accountID: site.accountID) {
                let folder = try #require(summary.folders.first { $0.name == box.name })
                let parsed = MboxReader.parse(try Self.read(destination + "/" + folder.path), variant: .mboxrd)
                let messages = try await site.store.messages(mailboxID: box.id)
                #expect(parsed.value.messages.count == messages.count)
                if messages.isEmpty { continue }
                #expect(parsed.problems.isEmpty)
                for (read, message) in zip(parsed.value.messages, messages) {
                    #expect(Set(read.flags) == Set(message.flags))
                    #expect(read.internalDate == message.internalDate)
                    #expect(read.uid == message.uid)
                    let original = String(decoding: try Self.read(message.path), as: UTF8.self)
                    #expect(String(decoding: read.bytes, as: UTF8.self) == original.replacingOccurrences(of: "\r\n", with: "\n"))
                }
                if box.name == "INBOX" { #expect(parsed.value.messages.allSatisfy { $0.sender == "bob@example.net" }) }
            }
            #expect(FileManager.default.fileExists(atPath: destination + "/Lists/posta.mbox"))
        }
    }
}
