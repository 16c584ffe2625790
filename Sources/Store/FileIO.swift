import Core
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX file operations the store needs, with the syncs Foundation does not do.
/// Everything here blocks; async callers go through `blocking`.
enum FileIO {
    /// Runs blocking file-system work on a Dispatch thread, off Swift's cooperative pool.
    static func blocking<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await LocalFiles.blocking(work)
    }

    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> StoreError {
        .io("\(operation) \(path): \(String(cString: strerror(code)))")
    }

    /// Creates a directory (mode 0700) unless one exists; returns whether it created it.
    @discardableResult
    static func makeDirectory(_ path: String) throws(StoreError) -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        let code = errno
        guard code == EEXIST, isDirectory(path) else { throw error("mkdir", path, code) }
        return false
    }

    /// `mkdir -p`, syncing each parent that got a new entry.
    static func makeDirectories(_ path: String) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + part
            if try makeDirectory(prefix) { try syncDirectory(parent) }
        }
    }

    /// Creates an empty file unless it exists.
    static func touch(_ path: String) throws(StoreError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw error("create", path) }
        close(fd)
    }

    /// `fsync` on a directory, making the entries made or removed in it durable.
    static func syncDirectory(_ path: String) throws(StoreError) {
        do { try LocalFiles.syncDirectory(path) } catch { throw .io(error.description) }
    }

    /// Whether anything (file, folder, link) has this name.
    static func exists(_ path: String) -> Bool { LocalFiles.exists(path) }

    static func isDirectory(_ path: String) -> Bool { LocalFiles.isDirectory(path) }

    /// Size of a regular file, or nil.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Entries of a directory (without `.` and `..`); empty when it cannot be read.
    static func entries(_ path: String) -> [String] { LocalFiles.entries(path) }

    /// Modification time (seconds) of a regular file that is not a symlink, or nil.
    static func regularFileMTime(_ path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if canImport(Darwin)
            return Int64(info.st_mtimespec.tv_sec)
        #else
            return Int64(info.st_mtim.tv_sec)
        #endif
    }

    /// Removes a tree without following symlinks; a missing path is not an error.
    static func removeTree(_ path: String) throws(StoreError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw error("stat", path)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in entries(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw error("rmdir", path) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw error("unlink", path) }
        }
    }
}
