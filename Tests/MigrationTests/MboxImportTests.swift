import Core
import Directory
import Foundation
import PostaTestSupport
import Store
import Testing

@testable import Migration

/// `posta import mbox` on the mbox Dovecot 2.3 wrote (Fixtures/dovecot.mbox: X-IMAPbase, X-UID, Status,
/// X-Status, X-Keywords, Content-Length, unquoted `From ` in a body) and on hand-written mboxrd files.
@Suite("mbox import")
struct MboxImportTests {
    /// Two mboxrd messages without UID data, a broken From_ line between them (line 5), and the empty line
    /// that ends the file.
    static let withBrokenFromLine = """
        From alice@example.org Mon Jan  1 10:00:00 2024
        Subject: one
        Status: RO

        From this line is no From_ line at all
        Subject: lost

        lost body

        From bob@example.org Tue Jan  2 11:30:00 2024 +0100
        Subject: two
        X-Keywords: Work

        >From quoted
        two


        """

    @Test("UIDVALIDITY, UIDs, flags, keywords and From_ dates of a Dovecot mbox are kept", arguments: TestDatabases.dialects)
    func keepsDovecotUIDs(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let path = try f.mbox("inbox", try MigrationFixtures.bytes("dovecot.mbox"))
            let summary = try await f.importMbox([.init(path: path)])
            #expect(summary.imported == 3)
            #expect(summary.skipped == 0)
            let file = try #require(summary.files.first)
            #expect((file.folder, file.action) == ("INBOX", "adopt"))
            #expect(file.problems.isEmpty, "\(file.problems)")

            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect((inbox.uidValidity, inbox.uidNext) == (1_796_528_983, 4))
            let messages = try await f.store.messages(mailboxID: inbox.id)
            #expect(messages.map(\.uid) == [1, 2, 3])
            #expect(
                messages.map(\.flags) == [
                    ["\\Answered", "\\Seen"], ["\\Flagged", "$Label1", "Work"], ["\\Deleted", "\\Draft"],
                ])
            // Sun Dec 06 03:49:43 2026 (no zone: UTC).
            #expect(messages.map(\.internalDate) == [1_796_528_983, 1_796_528_983, 1_796_528_983])
            let first = String(decoding: try Data(contentsOf: URL(fileURLWithPath: messages[0].path)), as: UTF8.self)
            // mboxcl2: the body as Dovecot served it, its status fields gone.
            #expect(first.contains("\nFrom the start, this line begins with From.\n>From quoted already.\n"))
            #expect(!first.contains("X-UID") && !first.contains("X-IMAPbase") && !first.contains("Status:"))
            #expect(messages[0].size == Int64(first.utf8.count))
            #expect(inbox.recentCount == 0)
        }
    }

    @Test("a second run imports nothing twice, with kept UIDs and with new ones", arguments: TestDatabases.dialects)
    func idempotent(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let dovecot = try f.mbox("Archive.mbox", try MigrationFixtures.bytes("dovecot.mbox"))
            let plain = try f.mbox("Plain", Array(Self.withBrokenFromLine.utf8))
            let sources: [MboxImporter.Source] = [.init(path: dovecot), .init(path: plain)]
            let first = try await f.importMbox(sources)
            #expect(first.files.map(\.folder) == ["Archive", "Plain"])
            #expect(first.files.map(\.action) == ["adopt", "new-uids"])
            #expect(first.imported == 5)
            let files = f.mailFiles()
            let usage = try await f.store.storageUsage(accountID: alice.id)
            let again = try await f.importMbox(sources)
            #expect(again.imported == 0)
            #expect(again.alreadyPresent == 5)
            #expect(again.files.map(\.action) == ["resume", "new-uids"])
            #expect(f.mailFiles() == files)
            #expect(try await f.store.storageUsage(accountID: alice.id) == usage)
            #expect(usage.messageCount == 5)
            // Flags changed on the old server do not make a message new (status fields are not hashed).
            let reflagged = Self.withBrokenFromLine.replacingOccurrences(of: "Status: RO", with: "Status: O")
            try Data(reflagged.utf8).write(to: URL(fileURLWithPath: plain))
            #expect(try await f.importMbox([.init(path: plain)]).imported == 0)
        }
    }

    @Test("a broken From_ line, a truncated last message and an over-size message are reported with file:line and skipped")
    func brokenInput() async throws {
        try await ImportFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            let path = try f.mbox(
                "Broken", Array((Self.withBrokenFromLine + "From carol@example.org Wed Jan  3 08:00:00 2024\nSubj").utf8))
            let summary = try await f.importMbox([.init(path: path)], variant: .mboxrd)
            let file = try #require(summary.files.first)
            #expect(file.imported == 2)
            #expect(file.skipped == 2)
            #expect(file.problems.map(\.what) == ["\(path):5", "\(path):17"])
            #expect(file.problems[0].reason.hasPrefix("broken From_ line"))
            #expect(file.problems[1].reason.contains("truncated"))
            let box = try #require(try await f.store.mailbox(accountID: alice.id, name: "Broken"))
            let messages = try await f.store.messages(mailboxID: box.id)
            #expect(messages.map(\.uid) == [1, 2])
            #expect(messages.map(\.flags) == [["\\Seen"], ["Work"]])
            // Mon Jan 1 10:00:00 2024 UTC; Tue Jan 2 11:30:00 2024 +0100.
            #expect(messages.map(\.internalDate) == [1_704_103_200, 1_704_191_400])
            let second = String(decoding: try Data(contentsOf: URL(fileURLWithPath: messages[1].path)), as: UTF8.self)
            #expect(second == "Subject: two\n\nFrom quoted\ntwo\n")

            // Over the size limit: reported with its line, the rest imported.
            let big = try f.mbox("Big", Array(Self.withBrokenFromLine.utf8))
            let limited = try await f.importMbox([.init(path: big)], variant: .mboxrd, maxMessageSize: 30)
            #expect(limited.files.first?.imported == 1)
            #expect(limited.files.first?.skipped == 2)
            #expect(
                limited.files.first?.problems.contains { $0.what == "\(big):10" && $0.reason.contains("larger than 30") } == true)
        }
    }

    @Test("a dry run reports what it would do and writes nothing", arguments: TestDatabases.dialects)
    func dryRun(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let dovecot = try f.mbox("INBOX", try MigrationFixtures.bytes("dovecot.mbox"))
            let plain = try f.mbox("Plain", Array(Self.withBrokenFromLine.utf8))
            let sources: [MboxImporter.Source] = [.init(path: dovecot), .init(path: plain)]
            let before = try await f.store.mailboxes(accountID: alice.id)
            let files = f.mailFiles()
            let dry = try await f.importMbox(sources, dryRun: true)
            #expect(dry.dryRun)
            #expect(dry.imported == 5)
            #expect(dry.skipped == 1)
            #expect(dry.files.map(\.action) == ["adopt", "new-uids"])
            #expect(try await f.store.mailboxes(accountID: alice.id) == before)
            #expect(f.mailFiles() == files)
            #expect(try await f.importMbox(sources).imported == 5)
            // After the import, a dry run finds everything present.
            let after = try await f.importMbox(sources, dryRun: true)
            #expect((after.imported, after.alreadyPresent) == (0, 5))
        }
    }

    @Test("a folder holding other messages gets new UIDs in file order, once", arguments: TestDatabases.dialects)
    func newUIDsWhenFolderIsInUse(dialect: Database.Dialect) async throws {
        try await ImportFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("Subject: x\r\n\r\nx\r\n".utf8))
            let path = try f.mbox("inbox", try MigrationFixtures.bytes("dovecot.mbox"))
            let summary = try await f.importMbox([.init(path: path)])
            let file = try #require(summary.files.first)
            #expect(file.action == "new-uids")
            #expect(file.remark?.contains("UIDVALIDITY") == true)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(inbox.uidValidity != 1_796_528_983)
            let messages = try await f.store.messages(mailboxID: inbox.id)
            #expect(messages.map(\.uid) == [1, 2, 3, 4])
            #expect(
                messages.dropFirst().map(\.flags) == [
                    ["\\Answered", "\\Seen"], ["\\Flagged", "$Label1", "Work"], ["\\Deleted", "\\Draft"],
                ])
            let again = try await f.importMbox([.init(path: path)])
            #expect((again.imported, again.alreadyPresent) == (0, 3))
        }
    }

    @Test("identical messages in one file are each imported, once")
    func identicalMessages() async throws {
        try await ImportFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            let one = "From a@example.org Mon Jan  1 10:00:00 2024\nSubject: same\n\nsame\n\n"
            let path = try f.mbox("Twice", Array((one + one).utf8))
            #expect(try await f.importMbox([.init(path: path)], variant: .mboxrd).imported == 2)
            let again = try await f.importMbox([.init(path: path)], variant: .mboxrd)
            #expect((again.imported, again.alreadyPresent) == (0, 2))
            let box = try #require(try await f.store.mailbox(accountID: alice.id, name: "Twice"))
            #expect(try await f.store.messages(mailboxID: box.id).map(\.uid) == [1, 2])
        }
    }

    @Test("the file is read in chunks: any chunk size gives the same import")
    func streaming() async throws {
        try await ImportFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            let path = try f.mbox("Small", try MigrationFixtures.bytes("dovecot.mbox"))
            let summary = try await f.importMbox([.init(path: path, folder: "Lists/small")], chunkSize: 3)
            #expect(summary.imported == 3)
            #expect(summary.files.first?.problems == [])
            let box = try #require(try await f.store.mailbox(accountID: alice.id, name: "Lists/small"))
            #expect(box.uidValidity == 1_796_528_983)
            #expect(try await f.store.messages(mailboxID: box.id).map(\.uid) == [1, 2, 3])
        }
    }

    @Test("folder names and variant names")
    func names() {
        #expect(MboxImporter.folderName(forFile: "/x/inbox") == "INBOX")
        #expect(MboxImporter.folderName(forFile: "/x/Inbox.mbox") == "INBOX")
        #expect(MboxImporter.folderName(forFile: "Sent.mbox") == "Sent")
        #expect(MboxImporter.folderName(forFile: "/x/.mbox") == ".mbox")
        #expect(MboxImporter.variant(named: "mboxcl2") == .mboxcl2)
        #expect(MboxImporter.variant(named: "mboxcl") == .mboxo)
        #expect(MboxImporter.variant(named: "maildir") == nil)
    }

    @Test("auto: Dovecot's file (X-IMAPbase in the first header) is mboxcl2, others mboxrd")
    func detectsTheVariant() throws {
        #expect(MboxImporter.detectVariant(try MigrationFixtures.bytes("dovecot.mbox")) == .mboxcl2)
        let plain = "From a@example.org Wed Jan  3 12:00:01 2024\nSubject: x\n\nX-IMAPbase: 1 2\n"
        #expect(MboxImporter.detectVariant(Array(plain.utf8)) == .mboxrd)
        let crlf = "From a@example.org Wed Jan  3 12:00:01 2024\r\nSubject: x\r\nx-imapbase: 7 9\r\n\r\nbody\r\n"
        #expect(MboxImporter.detectVariant(Array(crlf.utf8)) == .mboxcl2)
        #expect(MboxImporter.detectVariant([]) == .mboxrd)
    }
}

extension ImportFixture {
    /// Writes an mbox file under the fixture's folder; returns its path.
    func mbox(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func importMbox(
        _ sources: [MboxImporter.Source], variant: MboxVariant = .mboxcl2, dryRun: Bool = false,
        maxMessageSize: Int = 64 << 20, chunkSize: Int = 1 << 20
    ) async throws -> MboxImportSummary {
        let account = try #require(try await directory.account("alice@example.org"))
        return try await MboxImporter(store: store).run(
            account: account, sources: sources,
            options: .init(variant: variant, dryRun: dryRun, maxMessageSize: maxMessageSize, chunkSize: chunkSize))
    }
}
