#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a message to append.
enum MessageContent: Sendable {
    /// Literal bytes (IMAP APPEND).
    case bytes([UInt8])
    /// `prefix` followed by the file at `path` from byte `offset` on (local delivery from the spool).
    case file(prefix: [UInt8], path: String, offset: Int64)

    /// The size the message will have, for the quota check before writing.
    func expectedSize() throws(StoreError) -> Int64 {
        switch self {
        case .bytes(let bytes): return Int64(bytes.count)
        case .file(let prefix, let path, let offset):
            guard let size = FileIO.fileSize(path) else { throw FileIO.error("stat", path) }
            return Int64(prefix.count) + max(0, size - offset)
        }
    }
}

/// Puts a message file into a Maildir folder durably: write into `tmp/`, `fsync` it, `rename`
/// into `new/` (or `cur/` with flag info), `fsync` that directory. Until the index row commits
/// the file is invisible; if the row never commits, it is an orphan that `sweepOrphans` removes.
struct MessageWriter: Sendable {
    let namer: MaildirFileNamer

    /// Writes `content` into the folder at `folderPath`; returns the file's path relative to
    /// the folder (`new/<name>` or `cur/<name>:2,<info>`) and its size.
    func write(_ content: MessageContent, folderPath: String, info: String?) throws(StoreError) -> (file: String, size: Int64) {
        var attempts = 0
        while true {
            let base = namer.next()
            let tmp = folderPath + "/tmp/" + base
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd < 0 {
                let code = errno
                attempts += 1
                if code == EEXIST && attempts < 10 { continue }
                throw FileIO.error("create", tmp, code)
            }
            var isOpen = true
            var placed: String?
            do throws(StoreError) {
                let size = try Self.fill(fd, with: content, path: tmp)
                guard fsync(fd) == 0 else { throw FileIO.error("fsync", tmp) }
                isOpen = false
                guard close(fd) == 0 else { throw FileIO.error("close", tmp) }
                let subdirectory = info == nil ? "new" : "cur"
                let relative = subdirectory + "/" + MaildirFileNamer.final(base: base, size: size, info: info)
                guard rename(tmp, folderPath + "/" + relative) == 0 else { throw FileIO.error("rename", tmp) }
                placed = folderPath + "/" + relative
                try FileIO.syncDirectory(folderPath + "/" + subdirectory)
                return (relative, size)
            } catch {
                if isOpen { close(fd) }
                unlink(placed ?? tmp)
                throw error
            }
        }
    }

    private static func fill(_ fd: Int32, with content: MessageContent, path: String) throws(StoreError) -> Int64 {
        switch content {
        case .bytes(let bytes):
            try bytes.withUnsafeBytes { raw in Result { () throws(StoreError) in try FileIO.writeAll(fd, raw, path: path) } }.get()
            return Int64(bytes.count)
        case .file(let prefix, let source, let offset):
            try prefix.withUnsafeBytes { raw in Result { () throws(StoreError) in try FileIO.writeAll(fd, raw, path: path) } }.get()
            return Int64(prefix.count) + (try FileIO.copy(from: source, offset: offset, to: fd, path: path))
        }
    }
}
