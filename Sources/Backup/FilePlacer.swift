import Core

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts files into a backup being made, remembering what it placed, and how. Blocking; one owner.
struct FilePlacer: Sendable {
    /// The new backup's folder.
    let backup: String
    /// The site's data folder.
    let data: String
    /// The previous complete backup's folder and its files by path.
    let previousFolder: String?
    let previousFiles: [String: BackupManifest.FileEntry]
    /// Hard-link from the data folder; turned off at the first `EXDEV` (another file system).
    var linkFromData: Bool

    /// Everything placed so far, by backup path.
    private(set) var placed: [String: BackupManifest.FileEntry] = [:]
    /// Directories that got entries (to sync before the manifest is written).
    private(set) var touched: Set<String> = []
    private var made: Set<String> = []
    private(set) var copiedFiles = 0
    private(set) var copiedBytes: Int64 = 0
    private(set) var linkedFromPrevious = 0
    private(set) var linkedFromPreviousBytes: Int64 = 0
    private(set) var linkedFromData = 0
    private var how: [String: Placement] = [:]

    enum Placement: Sendable { case copied, previous, data }

    init(backup: String, data: String, previous: (folder: String, manifest: BackupManifest)?, linkFromData: Bool) {
        self.backup = backup
        self.data = data
        self.previousFolder = previous?.folder
        self.previousFiles = Dictionary(
            (previous?.manifest.files ?? []).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        self.linkFromData = linkFromData
    }

    /// Where `file` is now: in the data folder or, for a queued message finished since the
    /// snapshot, held for the backup (`SpoolHold`; a rename moves it, so it is in one or the other).
    static func source(of file: BackupFileSet.Named, data: String) -> String {
        let live = data + "/" + file.path
        guard file.set == BackupFileSet.spoolSetName, !BackupFiles.exists(live) else { return live }
        return SpoolHold.heldPath(spool: data + "/" + BackupFileSet.spoolFolder, relative: file.path)
    }

    /// Places one file; nil when its source is gone from the data folder (and not in the previous backup).
    mutating func place(_ file: BackupFileSet.Named) throws(BackupError) -> BackupManifest.FileEntry? {
        let destination = backup + "/" + file.backupPath
        let source = Self.source(of: file, data: data)
        try makeParents(of: file.backupPath)
        let liveSize = BackupFiles.regularFileSize(source)
        if liveSize == nil, BackupFiles.exists(source) {
            throw .io("\(source) is not a regular file")
        }
        // The previous backup's copy: the same path names the same bytes; only the size is compared.
        if let previousFolder, let old = previousFiles[file.backupPath], liveSize == nil || liveSize == old.size,
            BackupFiles.regularFileSize(previousFolder + "/" + file.backupPath) == old.size
        {
            if link(previousFolder + "/" + file.backupPath, destination) == 0 {
                return record(.init(path: file.backupPath, size: old.size, sha256: old.sha256, set: file.set), .previous)
            }
            guard [EXDEV, EMLINK, EPERM].contains(errno) else {
                throw BackupFiles.failure("link", destination)
            }
            if let (sha256, size) = try BackupFiles.copy(previousFolder + "/" + file.backupPath, to: destination) {
                return record(.init(path: file.backupPath, size: size, sha256: sha256, set: file.set), .copied)
            }
        }
        guard liveSize != nil else { return nil }
        if linkFromData {
            if link(source, destination) == 0 {
                // The link shares the inode: hash what is now in the backup.
                guard let (sha256, size) = try BackupFiles.hash(destination) else {
                    throw .io("\(destination) vanished")
                }
                return record(.init(path: file.backupPath, size: size, sha256: sha256, set: file.set), .data)
            }
            switch errno {
            case ENOENT: return nil
            case EXDEV, EMLINK, EPERM: linkFromData = false
            default: throw BackupFiles.failure("link", destination)
            }
        }
        guard let (sha256, size) = try BackupFiles.copy(source, to: destination) else { return nil }
        return record(.init(path: file.backupPath, size: size, sha256: sha256, set: file.set), .copied)
    }

    private mutating func record(_ entry: BackupManifest.FileEntry, _ placement: Placement) -> BackupManifest.FileEntry {
        placed[entry.path] = entry
        how[entry.path] = placement
        switch placement {
        case .copied:
            copiedFiles += 1
            copiedBytes += entry.size
        case .previous:
            linkedFromPrevious += 1
            linkedFromPreviousBytes += entry.size
        case .data: linkedFromData += 1
        }
        if let slash = entry.path.lastIndex(of: "/") { touched.insert(String(entry.path[..<slash])) }
        return entry
    }

    /// Creates the folders above a backup path, remembering them.
    private mutating func makeParents(of path: String) throws(BackupError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let parent = String(path[..<slash])
        guard !made.contains(parent) else { return }
        var prefix = ""
        for part in parent.split(separator: "/") {
            prefix += prefix.isEmpty ? String(part) : "/" + part
            guard !made.contains(prefix) else { continue }
            if try BackupFiles.makeDirectory(backup + "/" + prefix), let up = prefix.lastIndex(of: "/") {
                touched.insert(String(prefix[..<up]))
            }
            made.insert(prefix)
        }
    }

    /// Removes placed files the final snapshot does not name (rows deleted after the copy ahead).
    mutating func prune(keeping wanted: Set<String>) {
        for path in placed.keys where !wanted.contains(path) {
            unlink(backup + "/" + path)
            if let slash = path.lastIndex(of: "/") { touched.insert(String(path[..<slash])) }
            switch how[path] {
            case .copied:
                copiedFiles -= 1
                copiedBytes -= placed[path]?.size ?? 0
            case .previous:
                linkedFromPrevious -= 1
                linkedFromPreviousBytes -= placed[path]?.size ?? 0
            case .data: linkedFromData -= 1
            case nil: break
            }
            placed[path] = nil
            how[path] = nil
        }
    }

    /// Syncs every directory that got an entry, deepest first, then the backup's own folders.
    func syncDirectories() throws(BackupError) {
        for directory in touched.sorted(by: { $0.count > $1.count }) {
            try BackupFiles.syncDirectory(backup + "/" + directory)
        }
        for directory in ["db", "data", ""] {
            try BackupFiles.syncDirectory(directory.isEmpty ? backup : backup + "/" + directory)
        }
    }
}
