import Core
import Foundation
import MIME
import PostaTestSupport
import Queue
import Testing

@testable import Backup

@Suite("Backups while the queue delivers")
struct SpoolHoldTests {
    @Test(
        "a queued message delivered between the snapshot and its copy is still copied from the hold, in one round",
        arguments: TestDatabases.dialects)
    func deliveredAfterSnapshot(dialect: Database.Dialect) async throws {
        try await BackupFixture.with(dialect) { f in
            try await f.database.migrate(QueueSchema.migrations)
            _ = try await f.account("alice@example.org")
            let queue = MailQueue(
                database: f.database, spoolDirectory: f.data + "/spool", nodeID: "node1", logger: BackupFixture.logger)
            try queue.prepare()
            let runner = QueueRunner(queue: queue, store: f.store, logger: BackupFixture.logger)
            let queued = QueuedID()
            var options = BackupService.Options(copyOnly: true)
            options.around = { moment in
                switch moment {
                case .beforeSnapshot(round: 1):
                    // Accepted after the files were copied ahead, so only the snapshot names its spool file.
                    let deliveries = try #require(
                        try await MailQueue.deliveries(
                            for: try MailAddress(parsing: "alice@example.org"), directory: f.directory))
                    let (id, file) = try queue.openSpoolFile()
                    try file.write(Array("Subject: queued\r\n\r\nbody\r\n".utf8))
                    try await queue.commit(
                        id: id, file: file,
                        envelope: QueuedEnvelope(
                            reversePath: try MailAddress(parsing: "bob@remote.example"), clientIP: "192.0.2.1", helo: "c"),
                        deliveries: deliveries)
                    await queued.set(id)
                case .afterSnapshot(round: 1):
                    // Delivered (row deleted, spool file finished) before the backup copies it.
                    #expect(try await runner.runOnce() == 1)
                    let id = try #require(await queued.id)
                    #expect(!FileManager.default.fileExists(atPath: f.data + "/spool/msg/" + id))
                default: break
                }
            }
            let summary = try await f.service.create(root: f.backups, options: options)
            let id = try #require(await queued.id)
            #expect(summary.rounds == 1)
            #expect(summary.lost == [])
            let manifest = try #require(try BackupManifest.read(backup: summary.path))
            #expect(manifest.files.contains { $0.path == "data/spool/msg/" + id && $0.set == "spool" })
            #expect(try await BackupService.verify(summary.path).problems == [])
            // The hold ended with the backup: nothing is held any more, and files are unlinked again.
            #expect(!SpoolHold.isActive(spool: f.data + "/spool"))
            #expect(LocalFiles.entries(SpoolHold.heldFolder(spool: f.data + "/spool")) == [])
        }
    }

    @Test("a marker a killed backup left holds files only for its lifetime")
    func staleMarker() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let spool = folder.path
        try SpoolHold.refresh(spool: spool)
        #expect(SpoolHold.isActive(spool: spool))
        let old = Date().addingTimeInterval(-Double(SpoolHold.lifetimeSeconds + 5))
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: spool + "/.backup-hold")
        #expect(!SpoolHold.isActive(spool: spool))
        try FileManager.default.createDirectory(atPath: spool + "/msg", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: spool + "/msg/m1", contents: Data("x".utf8))
        SpoolHold.remove(["msg/m1"], spool: spool)
        #expect(!FileManager.default.fileExists(atPath: spool + "/msg/m1"))
        #expect(LocalFiles.entries(SpoolHold.heldFolder(spool: spool)) == [])
    }

    @Test("while the marker is fresh, finished spool files move into the held folder, all of them")
    func activeHold() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let spool = folder.path
        try FileManager.default.createDirectory(atPath: spool + "/msg", withIntermediateDirectories: true)
        for name in ["m1", "m2", "m3"] {
            FileManager.default.createFile(atPath: spool + "/msg/" + name, contents: Data(name.utf8))
        }
        try SpoolHold.refresh(spool: spool)
        SpoolHold.remove(["msg/m1", "msg/m2", "msg/m3"], spool: spool)
        #expect(LocalFiles.entries(spool + "/msg") == [])
        #expect(Set(LocalFiles.entries(SpoolHold.heldFolder(spool: spool))) == ["m1", "m2", "m3"])
        SpoolHold.end(spool: spool)
        #expect(LocalFiles.entries(SpoolHold.heldFolder(spool: spool)) == [])
        #expect(!SpoolHold.isActive(spool: spool))
    }
}

/// Hands the queued message's id from one hook call to the next.
actor QueuedID {
    var id: String?
    func set(_ value: String) { id = value }
}
