import Core
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What an export could not do.
public enum ExportError: Error, CustomStringConvertible, Sendable {
    /// The destination exists and is not an empty folder: an export never mixes with other files.
    case destinationNotEmpty(String)
    case noSuchFolder(String)
    case io(String)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let path): "\(path) exists and is not an empty folder"
        case .noSuchFolder(let name): "no mailbox \(name)"
        case .io(let text): text
        }
    }
}

/// The file operations of an export, with the syncs: files are written with `O_EXCL` (never over another
/// file), synced before they are closed, and every folder is synced after its entries are made.
/// Everything blocks; async callers go through ``blocking(_:)``.
enum ExportFiles {
    static func blocking<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await LocalFiles.blocking(work)
    }

    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> ExportError {
        .io("\(operation) \(path): \(String(cString: strerror(code)))")
    }

    /// Makes the destination (and its missing parents), or accepts an existing empty folder.
    static func prepareDestination(_ path: String) throws(ExportError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR, entries(path).isEmpty else { throw .destinationNotEmpty(path) }
            return
        }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + part
            if mkdir(prefix, 0o700) == 0 {
                try syncDirectory(parent)
            } else if errno != EEXIST {
                throw error("mkdir", prefix)
            }
        }
    }

    /// Creates a folder that must not exist yet.
    static func makeDirectory(_ path: String) throws(ExportError) {
        guard mkdir(path, 0o700) == 0 else { throw error("mkdir", path) }
    }

    /// Writes a new file, syncs it, and sets its modification time (seconds since 1970) when given.
    static func writeFile(_ path: String, _ bytes: [UInt8], mtime: Int64? = nil) throws(ExportError) {
        let file = try OutputFile(path)
        do {
            try file.write(bytes)
            try file.finish(mtime: mtime)
        } catch {
            file.abandon()
            throw error
        }
    }

    /// Creates a folder unless one exists; returns whether it created it.
    static func makeDirectoryIfMissing(_ path: String) throws(ExportError) -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        let code = errno
        var info = stat()
        guard code == EEXIST, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw error("mkdir", path, code)
        }
        return false
    }

    static func syncDirectory(_ path: String) throws(ExportError) {
        do { try LocalFiles.syncDirectory(path) } catch { throw .io(error.description) }
    }

    static func entries(_ path: String) -> [String] { LocalFiles.entries(path) }
}

/// A new file being written: created with `O_EXCL`, appended to, then synced and closed by `finish`.
/// Used by one task at a time (an export writes its files one after the other).
final class OutputFile: @unchecked Sendable {
    let path: String
    private var fd: Int32

    init(_ path: String) throws(ExportError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ExportFiles.error("create", path) }
    }

    func write(_ bytes: [UInt8]) throws(ExportError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportFiles.error("write", path)
            }
            offset += n
        }
    }

    /// Syncs, sets the modification time (and access time) when given, and closes.
    func finish(mtime: Int64? = nil) throws(ExportError) {
        if let mtime {
            var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
            guard futimens(fd, &times) == 0 else { throw ExportFiles.error("futimens", path) }
        }
        guard fsync(fd) == 0 else { throw ExportFiles.error("fsync", path) }
        let result = close(fd)
        fd = -1
        guard result == 0 else { throw ExportFiles.error("close", path) }
    }

    /// Closes without syncing, after a failure.
    func abandon() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { abandon() }
}

/// `write(2)`, named apart from `OutputFile.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
