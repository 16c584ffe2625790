#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written for durability: created exclusively, written with plain `write(2)`, made
/// durable with `fsync(2)`, and moved into place with `rename(2)` followed by an `fsync` of the
/// target directory — the sequence after which a crash can no longer lose it (Foundation's
/// atomic writes do not fsync).
///
/// Not thread-safe: one owner writes it; `sync`/`commit` may run on a blocking thread pool.
public final class DurableFile: @unchecked Sendable {
    public let path: String
    private var fd: Int32
    public private(set) var bytesWritten: Int64 = 0
    /// The rename of `commit(to:)` happened: the file now lives at the destination.
    public private(set) var isCommitted = false

    /// Creates `path`, which must not exist (`O_EXCL`), mode 0600.
    public init(creating path: String, mode: mode_t = 0o600) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(operation: "create", path: path) }
        self.path = path
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends `bytes`, retrying short writes and EINTR.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        let failed = bytes.withUnsafeBytes { buffer in writeAll(buffer) }
        if let failed { throw failed }
    }

    private func writeAll(_ buffer: UnsafeRawBufferPointer) -> FileError? {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return FileError(operation: "write", path: path)
            }
            offset += n
        }
        bytesWritten += Int64(buffer.count)
        return nil
    }

    /// Appends the file at `source` from byte `offset` on; returns the bytes copied. On Linux the
    /// kernel copies (`sendfile(2)` between regular files: the bytes never pass through this
    /// process); elsewhere, or when the kernel refuses, in 64 KiB chunks through a buffer.
    @discardableResult
    public func append(contentsOf source: String, offset: Int64 = 0) throws(FileError) -> Int64 {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw FileError(operation: "open", path: source) }
        defer { close(input) }
        #if os(Linux)
            if let copied = try kernelCopy(from: input, offset: offset, source: source) { return copied }
        #endif
        if offset > 0, lseek(input, off_t(offset), SEEK_SET) < 0 { throw FileError(operation: "seek", path: source) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(operation: "read", path: source)
            }
            if n == 0 { return total }
            let failed = buffer.withUnsafeBytes { raw in writeAll(UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
            if let failed { throw failed }
            total += Int64(n)
        }
    }

    #if os(Linux)
        /// `sendfile(2)` from `input` at `offset` to its end; nil when the kernel refuses before
        /// copying anything (EINVAL, ENOSYS: a file system without it), so the caller copies itself.
        private func kernelCopy(from input: Int32, offset: Int64, source: String) throws(FileError) -> Int64? {
            var position = off_t(offset)
            var total: Int64 = 0
            while true {
                let n = sendfile(fd, input, &position, 1 << 30)
                if n < 0 {
                    if errno == EINTR { continue }
                    if total == 0 && (errno == EINVAL || errno == ENOSYS) { return nil }
                    throw FileError(operation: "sendfile", path: source)
                }
                if n == 0 { break }
                total += Int64(n)
            }
            bytesWritten += total
            return total
        }
    #endif

    /// Flushes the file's data and metadata to stable storage.
    public func sync() throws(FileError) {
        guard fsync(fd) == 0 else { throw FileError(operation: "fsync", path: path) }
    }

    /// `sync`, close, rename to `destination`, and fsync the destination's directory (unless
    /// `syncDirectory` is false: a caller moving many files into one directory fsyncs it once,
    /// after the last, before anything names them).
    public func commit(to destination: String, syncDirectory: Bool = true) throws(FileError) {
        try sync()
        close(fd)
        fd = -1
        guard rename(path, destination) == 0 else { throw FileError(operation: "rename", path: destination) }
        isCommitted = true
        if syncDirectory { try DurableFile.syncDirectory(containing: destination) }
    }

    /// Closes and deletes the file (an aborted write).
    public func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(path)
    }

    /// fsyncs the directory holding `path`, making a rename or unlink in it durable.
    public static func syncDirectory(containing path: String) throws(FileError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let dfd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw FileError(operation: "open directory", path: directory) }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw FileError(operation: "fsync directory", path: directory) }
    }
}

/// A failed file operation, with errno's text.
public struct FileError: Error, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let code: Int32

    public init(operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// The disk is full or the quota of the file system is reached: a temporary condition.
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
