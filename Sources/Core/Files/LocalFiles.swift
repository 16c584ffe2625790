import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The small POSIX questions and syncs that the store, backups and exports all ask of the local file
/// system. Everything here blocks; async callers go through ``blocking(_:)``.
public enum LocalFiles {
    /// Runs blocking file-system work on a Dispatch thread, off Swift's cooperative pool.
    public static func blocking<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Whether anything (file, folder, symbolic link) has this name.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Whether `path` is a folder; a symbolic link to one counts only when `followingLinks`.
    public static func isDirectory(_ path: String, followingLinks: Bool = false) -> Bool {
        var info = stat()
        let found = followingLinks ? stat(path, &info) : lstat(path, &info)
        return found == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Entries of a directory (without `.` and `..`); empty when it cannot be read.
    public static func entries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// `fsync` on a directory, making the entries made or removed in it durable.
    public static func syncDirectory(_ path: String) throws(FileError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open", path: path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync", path: path) }
    }
}
