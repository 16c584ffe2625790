import Core
import Crypto
import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The POSIX file operations of a backup: hard links, copies that are synced, streaming SHA-256.
/// Everything here blocks; async callers go through `blocking`.
enum BackupFiles {
    static let chunk = 1 << 16

    /// Runs blocking file work on a Dispatch thread, off Swift's cooperative pool.
    static func blocking<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await LocalFiles.blocking(work)
    }

    static func failure(_ operation: String, _ path: String, _ code: Int32 = errno) -> BackupError {
        .io("\(operation) \(path): \(String(cString: strerror(code)))")
    }

    static func exists(_ path: String) -> Bool { LocalFiles.exists(path) }

    static func isDirectory(_ path: String) -> Bool { LocalFiles.isDirectory(path, followingLinks: true) }

    /// The size of a regular file (symbolic links not followed); nil when there is none.
    static func regularFileSize(_ path: String) -> Int64? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Entries of a directory (without `.` and `..`); empty when it cannot be read.
    static func entries(_ path: String) -> [String] { LocalFiles.entries(path) }

    /// `fsync` on a directory, making the entries made in it durable.
    static func syncDirectory(_ path: String) throws(BackupError) {
        do { try LocalFiles.syncDirectory(path) } catch { throw .io(error.description) }
    }

    static func syncFile(_ path: String) throws(BackupError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", path) }
    }

    /// Creates a directory (mode 0700) unless one exists; returns whether it made it.
    @discardableResult
    static func makeDirectory(_ path: String) throws(BackupError) -> Bool {
        if mkdir(path, 0o700) == 0 { return true }
        let code = errno
        guard code == EEXIST, isDirectory(path) else { throw failure("mkdir", path, code) }
        return false
    }

    /// The lower-case hex SHA-256 of a file, and its size; nil when it does not exist.
    static func hash(_ path: String) throws(BackupError) -> (sha256: String, size: Int64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("open", path)
        }
        defer { close(fd) }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", path)
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += Int64(n)
        }
        return (hex(hasher.finalize()), size)
    }

    /// Copies `source` to the new file `destination` (mode 0600), hashing on the way, and syncs it.
    /// Nil when `source` does not exist (then nothing is created).
    static func copy(_ source: String, to destination: String) throws(BackupError) -> (sha256: String, size: Int64)? {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("open", source)
        }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw failure("create", destination) }
        var closed = false
        defer { if !closed { close(output) } }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read", source)
            }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, n - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", destination)
                }
                offset += written
            }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            size += Int64(n)
        }
        guard fsync(output) == 0 else { throw failure("fsync", destination) }
        closed = true
        guard close(output) == 0 else { throw failure("close", destination) }
        return (hex(hasher.finalize()), size)
    }

    /// Writes `bytes` durably at `path`: a temporary file synced, renamed, its directory synced.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(BackupError) {
        let temporary = path + ".tmp"
        unlink(temporary)
        do {
            let file = try DurableFile(creating: temporary)
            try file.write(bytes)
            try file.commit(to: path)
        } catch {
            unlink(temporary)
            throw .io("\(error)")
        }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes a tree without following symbolic links; a missing path is not an error.
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in entries(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Files and bytes under a folder (for incomplete backups, which have no manifest).
    static func usage(_ path: String) -> (files: Int, bytes: Int64) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (0, 0) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            var total: (files: Int, bytes: Int64) = (0, 0)
            for name in entries(path) {
                let inner = usage(path + "/" + name)
                total = (total.files + inner.files, total.bytes + inner.bytes)
            }
            return total
        }
        return (info.st_mode & S_IFMT) == S_IFREG ? (1, Int64(info.st_size)) : (0, 0)
    }
}
