#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// While `posta backup create` runs, the queue keeps the spool files of the messages it finishes
/// instead of unlinking them: it moves them into `spool/backup-held/`. A backup's database snapshot
/// names the queue's messages as they were at that moment; under steady traffic some of them are
/// delivered (their rows deleted, their files unlinked) before the backup has copied them, and
/// without the hold every new snapshot would name some other file that is gone by the time it is
/// reached. With it, a file the snapshot names is either where it was or held.
///
/// The hold is a marker file, `spool/.backup-hold`, whose modification time the backup refreshes
/// (``refresh(spool:)``) at least every ``refreshInterval``; a marker older than ``lifetime`` (a
/// killed backup) holds nothing. The backup removes the marker and then the held files when it ends.
public enum SpoolHold {
    /// How often a running backup touches the marker.
    public static let refreshInterval: Duration = .seconds(30)
    /// How long a marker holds files after its last refresh.
    public static let lifetimeSeconds = 180

    static func marker(spool: String) -> String { spool + "/.backup-hold" }
    /// The folder held files are moved into, each under its own (unique) file name.
    public static func heldFolder(spool: String) -> String { spool + "/backup-held" }

    /// Where a held spool file is, for a file `relative` to the spool folder (`msg/<id>`).
    public static func heldPath(spool: String, relative: String) -> String {
        heldFolder(spool: spool) + "/" + (relative.split(separator: "/").last.map(String.init) ?? relative)
    }

    /// Starts (or refreshes) the hold.
    public static func refresh(spool: String) throws(FileError) {
        let folder = heldFolder(spool: spool)
        if !LocalFiles.isDirectory(folder), mkdir(folder, 0o750) != 0, errno != EEXIST {
            throw FileError(operation: "mkdir", path: folder)
        }
        let path = marker(spool: spool)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw FileError(operation: "open", path: path) }
        close(fd)
        guard utimes(path, nil) == 0 else { throw FileError(operation: "utimes", path: path) }
    }

    /// Whether a backup holds spool files now.
    public static func isActive(spool: String) -> Bool {
        var info = stat()
        guard stat(marker(spool: spool), &info) == 0 else { return false }
        return Int(time(nil)) - Int(info.st_mtim.tv_sec) < lifetimeSeconds
    }

    /// Removes finished messages' spool files (paths relative to `spool`, `msg/<id>`), or moves them
    /// into the held folder while a backup runs; the marker is looked at once for them all.
    public static func remove(_ files: [String], spool: String) {
        guard !files.isEmpty else { return }
        let holding = isActive(spool: spool)
        for file in files {
            let path = spool + "/" + file
            if holding, rename(path, heldPath(spool: spool, relative: file)) == 0 { continue }
            unlink(path)
        }
    }

    /// Ends the hold: the marker first, then every held file.
    public static func end(spool: String) {
        unlink(marker(spool: spool))
        let folder = heldFolder(spool: spool)
        for name in LocalFiles.entries(folder) { unlink(folder + "/" + name) }
    }
}
