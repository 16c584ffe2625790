import Core
import Foundation
import PostaTestSupport
import Testing

@testable import Backup

@Suite("Online backup on SQLite and PostgreSQL")
struct BackupTests {
    @Test("a backup holds every message file the snapshot names, with its SHA-256", arguments: TestDatabases.dialects)
    func everyFileWithItsHash(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            for i in 1...4 { try await f.deliver(alice.id, "alice \(i)") }
            try await f.deliver(alice.id, "sent", mailbox: "Sent")
            for i in 1...3 { try await f.deliver(bob.id, "bob \(i)") }
            let live = try await f.liveFiles()
            #expect(live.count == 8)

            let summary = try await f.service.create(root: f.backups)
            #expect(summary.files == 8)
            #expect(summary.rounds == 1)
            #expect(summary.previous == nil)
            #expect(summary.database == dialect.rawValue)
            let manifest = try #require(try BackupManifest.read(backup: summary.path))
            #expect(manifest.format == BackupManifest.currentFormat)
            #expect(manifest.database.path == (dialect == .sqlite ? "db/posta.db" : "db/posta.dump"))
            #expect(manifest.fileSets.first { $0.name == "mail" }?.files == 8)
            #expect(Set(manifest.files.map(\.path)) == Set(live.keys.map { "data/" + $0 }))
            for file in manifest.files {
                let bytes = try #require(live[String(file.path.dropFirst("data/".count))])
                #expect(file.sha256 == BackupFixture.sha256(bytes))
                #expect(file.size == Int64(bytes.count))
                let copied = [UInt8](try Data(contentsOf: URL(fileURLWithPath: summary.path + "/" + file.path)))
                #expect(copied == bytes)
            }
            #expect(manifest.totals.bytes == live.values.reduce(0) { $0 + Int64($1.count) })

            let report = try await BackupService.verify(summary.path)
            #expect(report.problems == [])
            #expect(report.filesChecked == 9)
            let listing = try BackupService.list(f.backups)
            #expect(listing.map(\.name) == [summary.name])
            #expect(listing.first?.complete == true)
            #expect(listing.first?.files == 8)
        }
    }

    @Test("a second backup hard-links the files of the first and copies only the new ones", arguments: TestDatabases.dialects)
    func incremental(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            for i in 1...5 { try await f.deliver(alice.id, "old \(i)") }
            var options = BackupService.Options(copyOnly: true)
            options.now = 1_765_000_000
            let first = try await f.service.create(root: f.backups, options: options)
            #expect(first.copiedFiles == 5)
            #expect(first.linkedFromData == 0)

            for i in 1...2 { try await f.deliver(alice.id, "new \(i)") }
            options.now = 1_765_000_060
            let second = try await f.service.create(root: f.backups, options: options)
            #expect(second.previous == first.name)
            #expect(second.files == 7)
            #expect(second.linkedFromPrevious == 5)
            #expect(second.copiedFiles == 2)
            let old = try #require(try BackupManifest.read(backup: first.path))
            for file in old.files {
                let a = BackupFixture.inode(first.path + "/" + file.path)
                #expect(a != nil && a == BackupFixture.inode(second.path + "/" + file.path), "\(file.path) is not a link")
            }
            // Without --copy, files new to the backup are hard links to the data folder's.
            for i in 1...2 { try await f.deliver(alice.id, "newer \(i)") }
            options.copyOnly = false
            options.now = 1_765_000_120
            let third = try await f.service.create(root: f.backups, options: options)
            #expect(third.linkedFromPrevious == 7)
            #expect(third.linkedFromData == 2)
            #expect(third.copiedFiles == 0)
            #expect(try await BackupService.verify(f.backups).problems == [])
            #expect(try BackupService.list(f.backups).map(\.name) == [first.name, second.name, third.name])
        }
    }

    @Test("verify reports a flipped byte and a missing file by path")
    func verifyFindsDamage() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            for i in 1...3 { try await f.deliver(alice.id, "message \(i)") }
            // Copies, so that damaging the backup leaves the data folder alone.
            let summary = try await f.service.create(root: f.backups, options: .init(copyOnly: true))
            let manifest = try #require(try BackupManifest.read(backup: summary.path))
            let flipped = manifest.files[0].path
            let removed = manifest.files[1].path
            let handle = try #require(FileHandle(forUpdatingAtPath: summary.path + "/" + flipped))
            try handle.seek(toOffset: 3)
            let byte = try #require(try handle.read(upToCount: 1)).first!
            try handle.seek(toOffset: 3)
            try handle.write(contentsOf: [byte ^ 0x01])
            try handle.close()
            try FileManager.default.removeItem(atPath: summary.path + "/" + removed)

            let report = try await BackupService.verify(summary.path)
            #expect(!report.ok)
            // Each once, by its path (the removed file is in the manifest, so the snapshot's check adds nothing).
            #expect(report.problems.contains { $0.path == flipped && $0.problem == .checksum })
            #expect(report.problems.contains { $0.path == removed && $0.problem == .missing })
            #expect(Set(report.problems.map(\.path)) == [flipped, removed])
            // The live data is untouched.
            #expect(try await f.liveFiles().count == 3)
        }
    }

    @Test("verify reports a damaged SQLite snapshot")
    func verifyFindsDamagedSnapshot() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            try await f.deliver(alice.id, "one")
            let summary = try await f.service.create(root: f.backups)
            let path = summary.path + "/db/posta.db"
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: path))
            let report = try await BackupService.verify(summary.path)
            #expect(report.problems.contains { $0.path == "db/posta.db" && $0.problem == .size })
            #expect(report.problems.contains { $0.path == "db/posta.db" && $0.problem == .database })
        }
    }

    @Test("an interrupted backup (no manifest) is incomplete: listed so, refused by verify, not built upon")
    func interrupted() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            for i in 1...3 { try await f.deliver(alice.id, "message \(i)") }
            var options = BackupService.Options()
            options.now = 1_765_000_000
            let complete = try await f.service.create(root: f.backups, options: options)
            options.now = 1_765_000_060
            let cut = try await f.service.create(root: f.backups, options: options)
            try FileManager.default.removeItem(atPath: cut.path + "/manifest.json")

            let listing = try BackupService.list(f.backups)
            #expect(listing.map(\.complete) == [true, false])
            #expect(listing[1].files == 4)  // three messages and the snapshot, counted from disk
            await #expect(throws: BackupError.incomplete(cut.path)) { try await BackupService.verify(cut.path) }
            // verify on the root checks the newest backup, which is the incomplete one.
            await #expect(throws: BackupError.incomplete(cut.path)) { try await BackupService.verify(f.backups) }

            options.now = 1_765_000_120
            let next = try await f.service.create(root: f.backups, options: options)
            #expect(next.previous == complete.name)
            #expect(next.linkedFromPrevious == 3)
        }
    }

    @Test(
        "a message delivered before the snapshot and expunged before its file was copied is left out with its row",
        arguments: TestDatabases.dialects)
    func vanishedAfterSnapshot(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            for i in 1...3 { try await f.deliver(alice.id, "message \(i)") }
            let late = LateMessage()
            var options = BackupService.Options(copyOnly: true)
            options.around = { moment in
                switch moment {
                case .beforeSnapshot(round: 1):
                    // Arrives after the files were copied ahead, so only the snapshot names it.
                    let result = try await f.deliver(alice.id, "late")
                    await late.set(result)
                case .afterSnapshot(round: 1):
                    // Expunged (row, then file) before the backup copies its file.
                    let result = try #require(await late.result)
                    try await f.store.expunge(mailboxID: result.mailboxID, uids: [result.uid])
                default: break
                }
            }
            let summary = try await f.service.create(root: f.backups, options: options)
            #expect(summary.rounds == 2)
            #expect(summary.files == 3)
            #expect(summary.lost == [])
            let manifest = try #require(try BackupManifest.read(backup: summary.path))
            let live = try await f.liveFiles()
            #expect(Set(manifest.files.map(\.path)) == Set(live.keys.map { "data/" + $0 }))
            #expect(try await BackupService.verify(summary.path).problems == [])
        }
    }

    @Test("a file missing from the data folder while its row stays is recorded as lost, and verify reports it")
    func lostAtTheSource() async throws {
        try await BackupFixture.with(.sqlite) { f in
            let alice = try await f.account("alice@example.org")
            for i in 1...3 { try await f.deliver(alice.id, "message \(i)") }
            let live = try await f.liveFiles()
            let gone = try #require(live.keys.sorted().first)
            try FileManager.default.removeItem(atPath: f.data + "/" + gone)
            let summary = try await f.service.create(root: f.backups)
            #expect(summary.lost == ["data/" + gone])
            #expect(summary.files == 2)
            #expect(summary.rounds == 2)
            let report = try await BackupService.verify(summary.path)
            #expect(report.problems.map(\.problem) == [.lost])
        }
    }

    @Test("backup folder names sort by time and are recognised")
    func names() {
        #expect(BackupService.folderName(1_765_000_000) == "20251206T054640Z")
        #expect(BackupService.iso8601(1_765_000_000) == "2025-12-06T05:46:40Z")
        #expect(BackupService.isBackupName("20251206T054640Z"))
        #expect(BackupService.isBackupName("20251206T054640Z-2"))
        #expect(!BackupService.isBackupName("20251206T054640Z-"))
        #expect(!BackupService.isBackupName("latest"))
        let sorted = ["20251206T054640Z-10", "20251206T054640Z-2", "20251206T054640Z", "20251205T000000Z"]
            .sorted(by: BackupService.nameOrder)
        #expect(sorted == ["20251205T000000Z", "20251206T054640Z", "20251206T054640Z-2", "20251206T054640Z-10"])
    }
}

/// Hands a result from one hook call to the next.
actor LateMessage {
    var result: AppendResult?
    func set(_ value: AppendResult) { result = value }
}

@Suite("Reading a PostgreSQL plain-text dump's COPY blocks")
struct PostgresDumpFilesTests {
    @Test("COPY blocks with quoted names, escapes and NULLs")
    func copyBlocks() {
        let script = """
            SET statement_timeout = 0;
            COPY public.message (id, mailbox_id, "file", delivery_key) FROM stdin;
            1\t7\tcur/1.M1P1,S=10:2,\t\\N
            2\t7\tcur/tab\\there\\\\x\t\\101\\x42
            \\.

            COPY public.store_account (account_id, maildir) FROM stdin;
            \\.
            """
        let blocks = PostgresDumpFiles.copyBlocks(script)
        #expect(
            blocks == [
                .init(
                    table: "message", columns: ["id", "mailbox_id", "file", "delivery_key"],
                    rows: [["1", "7", "cur/1.M1P1,S=10:2,", nil], ["2", "7", "cur/tab\there\\x", "AB"]]),
                .init(table: "store_account", columns: ["account_id", "maildir"], rows: []),
            ])
    }
}
