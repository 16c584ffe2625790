import Core
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Online backups of a site: database snapshot plus the files it names, incremental by hard
/// links, checked against a manifest. The CLI (`posta backup`) is a thin front end over this.
///
/// A backup is the folder `<root>/<yyyyMMdd'T'HHmmss'Z'>/` holding `db/`, `data/` and, written
/// last, `manifest.json` (`BackupManifest`).
public struct BackupService: Sendable {
    public let database: Database
    public let databaseURL: DatabaseURL
    /// The site's `data_dir`.
    public let dataDirectory: String
    public let nodeID: String
    let logger: Logger

    public init(database: Database, databaseURL: DatabaseURL, dataDirectory: String, nodeID: String, logger: Logger) {
        var dataDirectory = dataDirectory
        while dataDirectory.count > 1 && dataDirectory.hasSuffix("/") { dataDirectory.removeLast() }
        self.database = database
        self.databaseURL = databaseURL
        self.dataDirectory = dataDirectory
        self.nodeID = nodeID
        self.logger = logger
    }

    public struct Options: Sendable {
        /// Copy every file that is not in the previous backup, even when the data folder is on the
        /// backup's file system (by default such files are hard-linked, which protects against
        /// mistakes — a deleted folder — but not against the loss of that file system).
        public var copyOnly = false
        /// `pg_dump` to run (PostgreSQL); found from the server's version when nil.
        public var pgDump: String?
        /// Snapshots to try before giving up while files keep vanishing.
        public var maximumRounds = 8
        /// The backup's time; now when nil (tests).
        public var now: Int64?
        /// Called around each snapshot (tests change the store there, as a running server would).
        var around: (@Sendable (Moment) async throws -> Void)?

        public init(copyOnly: Bool = false, pgDump: String? = nil) {
            self.copyOnly = copyOnly
            self.pgDump = pgDump
        }
    }

    enum Moment: Sendable, Equatable {
        case beforeSnapshot(round: Int)
        case afterSnapshot(round: Int)
    }

    /// What `create` made.
    public struct Summary: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var createdAt: String
        public var previous: String?
        public var database: String
        public var databaseBytes: Int64
        public var files: Int
        public var bytes: Int64
        public var copiedFiles: Int
        public var copiedBytes: Int64
        public var linkedFromPrevious: Int
        public var linkedFromData: Int
        public var rounds: Int
        public var lost: [String]
        public var seconds: Double
    }

    /// Makes a consistent backup under `root` while the server runs.
    ///
    /// Consistency: the database snapshot defines the backup, and every file it names must be in
    /// it. Such a file exists from before its row was committed until after the row is deleted
    /// (`BackupFileSet`), so it exists when the snapshot is taken; but the row may be deleted
    /// right after, and its file unlinked, before the copy reaches it. So:
    /// 1. Files the live database names are linked or copied first (a vanished one is skipped:
    ///    its row is gone), so that little is left to do once a snapshot is fixed.
    /// 2. A snapshot is taken, and the files it names that are not yet in the backup are added.
    /// 3. If some were gone by then, their rows were deleted after the snapshot: the snapshot is
    ///    dropped and step 2 repeats with a new one, which no longer names them and adds only what
    ///    arrived meanwhile, so rounds get short fast. A file missing in two rounds in a row while
    ///    both snapshots name it was lost before the backup began: recorded in `lost`, not retried.
    /// 4. Files copied for rows the final snapshot no longer has are removed again; directories are
    ///    synced; the manifest is written last, synced, renamed into place.
    ///
    /// Incremental: a file the previous complete backup holds under the same path with the same
    /// size is the same file (paths are never reused, files never change): it is hard-linked from
    /// there with its recorded checksum. Other files are hard-linked from the data folder when it
    /// is on the same file system (and `copyOnly` is off), else copied and synced.
    ///
    /// While it runs, the queue holds the spool files of the messages it finishes (`SpoolHold`), so
    /// that a snapshot's queued messages can still be copied after their delivery; otherwise steady
    /// traffic would leave every new snapshot naming some file already gone.
    public func create(root: String, options: Options = Options(), observe: BackupObserver? = nil) async throws -> Summary {
        let spool = dataDirectory + "/" + BackupFileSet.spoolFolder
        // A data folder without a spool (no queue yet) has nothing to hold.
        guard LocalFiles.isDirectory(spool) else {
            return try await createHolding(root: root, options: options, observe: observe)
        }
        try SpoolHold.refresh(spool: spool)
        let refresher = Task {
            while true {
                do { try await Task.sleep(for: SpoolHold.refreshInterval) } catch { return }
                try? SpoolHold.refresh(spool: spool)
            }
        }
        func endHold() async {
            refresher.cancel()
            await refresher.value
            SpoolHold.end(spool: spool)
        }
        do {
            let summary = try await createHolding(root: root, options: options, observe: observe)
            await endHold()
            return summary
        } catch {
            await endHold()
            throw error
        }
    }

    private func createHolding(root: String, options: Options, observe: BackupObserver?) async throws -> Summary {
        let started = ContinuousClock.now
        let observe = observe ?? { _ in }
        let now = options.now ?? Int64(Date().timeIntervalSince1970)
        let root = Self.trimmed(root)
        try await BackupFiles.blocking { try Self.makeRoot(root) }
        let previous = try Self.latestComplete(in: root)
        let name = try await BackupFiles.blocking { try Self.makeBackupFolder(in: root, time: now) }
        let folder = root + "/" + name
        try BackupFiles.makeDirectory(folder + "/db")
        try BackupFiles.makeDirectory(folder + "/data")

        var placer = FilePlacer(
            backup: folder, data: dataDirectory, previous: previous.map { (folder: root + "/" + $0.name, manifest: $0.manifest) },
            linkFromData: !options.copyOnly)
        let snapshots = DatabaseSnapshot(database: database, url: databaseURL, pgDump: options.pgDump, logger: logger)

        observe(.step("copying the files the database names now"))
        placer = try await place(try await snapshots.namedNow(), with: placer, observe: observe).placer

        var round = 0
        var missingBefore = Set<String>()
        var last: DatabaseSnapshot.Taken?
        var lost: [String] = []
        while true {
            round += 1
            observe(.step("database snapshot (round \(round))"))
            try await options.around?(.beforeSnapshot(round: round))
            let taken = try await snapshots.take(into: folder)
            last = taken
            try await options.around?(.afterSnapshot(round: round))
            observe(.step("copying the files the snapshot names (round \(round))"))
            let outcome = try await place(taken.named, with: placer, observe: observe)
            placer = outcome.placer
            if outcome.missing.isEmpty { break }
            let missing = Set(outcome.missing)
            if missing.isSubset(of: missingBefore) {
                lost = outcome.missing.sorted()
                logger.warning("files named by the database are missing", metadata: ["count": "\(lost.count)"])
                break
            }
            guard round < options.maximumRounds else {
                throw BackupError.unsettled(rounds: round, missing: outcome.missing.sorted())
            }
            missingBefore = missing
        }

        observe(.step("writing the manifest"))
        guard let taken = last else { throw BackupError.snapshot("no snapshot was taken") }
        let wanted = Set(taken.named.map(\.backupPath))
        let (finalPlacer, rounds, lostFiles, previousName) = (placer, round, lost, previous?.name)
        let manifest = try await BackupFiles.blocking { [finalPlacer] () throws -> BackupManifest in
            var placer = finalPlacer
            placer.prune(keeping: wanted)
            try placer.syncDirectories()
            let files = placer.placed.values.sorted { $0.path < $1.path }
            let counts = Dictionary(grouping: files, by: \.set).mapValues(\.count)
            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, createdAt: Self.iso8601(now), createdAtUnix: now,
                postaVersion: PostaVersion.string, nodeID: nodeID, database: taken.entry, previous: previousName,
                rounds: rounds,
                fileSets: BackupFileSet.all.map { .init(name: $0.name, folder: $0.folder, files: counts[$0.name] ?? 0) },
                files: files, lost: lostFiles,
                totals: .init(
                    files: files.count, bytes: files.reduce(0) { $0 + $1.size }, copiedFiles: placer.copiedFiles,
                    copiedBytes: placer.copiedBytes, linkedFromPrevious: placer.linkedFromPrevious,
                    linkedFromPreviousBytes: placer.linkedFromPreviousBytes, linkedFromData: placer.linkedFromData))
            let bytes = Array(try BackupManifest.encoder().encode(manifest))
            try BackupFiles.writeDurably(bytes, to: folder + "/" + BackupManifest.fileName)
            try BackupFiles.syncDirectory(root)
            return manifest
        }
        let elapsed = started.duration(to: .now)
        return Summary(
            name: name, path: folder, createdAt: manifest.createdAt, previous: manifest.previous,
            database: manifest.database.kind, databaseBytes: manifest.database.size, files: manifest.totals.files,
            bytes: manifest.totals.bytes, copiedFiles: manifest.totals.copiedFiles, copiedBytes: manifest.totals.copiedBytes,
            linkedFromPrevious: manifest.totals.linkedFromPrevious, linkedFromData: manifest.totals.linkedFromData,
            rounds: round, lost: lost,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Places the files of `named` not yet in the backup, off the cooperative pool; returns the
    /// placer and the backup paths whose source was gone.
    private func place(_ named: [BackupFileSet.Named], with placer: FilePlacer, observe: @escaping BackupObserver)
        async throws -> (placer: FilePlacer, missing: [String])
    {
        try await BackupFiles.blocking { [placer] in
            var placer = placer
            let todo = named.filter { placer.placed[$0.backupPath] == nil }
            var missing: [String] = []
            var bytes: Int64 = 0
            var lastReport = ContinuousClock.now
            observe(.progress(files: 0, totalFiles: todo.count, bytes: 0))
            for (index, file) in todo.enumerated() {
                if let entry = try placer.place(file) {
                    bytes += entry.size
                } else {
                    missing.append(file.backupPath)
                }
                if ContinuousClock.now - lastReport > .milliseconds(200) {
                    lastReport = .now
                    observe(.progress(files: index + 1, totalFiles: todo.count, bytes: bytes))
                }
            }
            observe(.progress(files: todo.count, totalFiles: todo.count, bytes: bytes))
            return (placer, missing)
        }
    }

    // MARK: Folders

    /// Backup folder names: `20261206T034512Z`, with `-2`, `-3`… when two start in one second.
    static func folderName(_ time: Int64) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))Z"
    }

    static func iso8601(_ time: Int64) -> String { createdAt(ofName: folderName(time)) }

    /// Whether a folder name is one `create` makes.
    static func isBackupName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return false }
        let digits = Array(bytes[0..<8]) + Array(bytes[9..<15])
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        if bytes.count == 16 { return true }
        return bytes[16] == UInt8(ascii: "-") && bytes.count > 17
            && bytes[17...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func makeRoot(_ root: String) throws {
        var prefix = root.hasPrefix("/") ? "" : "."
        for part in root.split(separator: "/") {
            prefix += "/" + part
            try BackupFiles.makeDirectory(prefix)
        }
    }

    /// Creates the new backup's folder (never an existing one) and syncs the root.
    static func makeBackupFolder(in root: String, time: Int64) throws -> String {
        let base = folderName(time)
        var name = base
        var suffix = 1
        while mkdir(root + "/" + name, 0o700) != 0 {
            guard errno == EEXIST else { throw BackupFiles.failure("mkdir", root + "/" + name) }
            suffix += 1
            name = base + "-\(suffix)"
        }
        try BackupFiles.syncDirectory(root)
        return name
    }

    /// The newest backup under `root` that has a manifest.
    static func latestComplete(in root: String) throws -> (name: String, manifest: BackupManifest)? {
        for name in BackupFiles.entries(root).filter(isBackupName).sorted(by: nameOrder).reversed() {
            if let manifest = try? BackupManifest.read(backup: root + "/" + name) { return (name, manifest) }
        }
        return nil
    }
}
