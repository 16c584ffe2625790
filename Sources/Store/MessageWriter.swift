import Core

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

/// Puts a message file into a Maildir folder durably (`DurableFile`): write into `tmp/`, `fsync`
/// it, `rename` into `new/` (or `cur/` with flag info), `fsync` that directory. Until the index row
/// commits the file is invisible; if the row never commits, it is an orphan that `sweepOrphans` removes.
struct MessageWriter: Sendable {
    let namer: MaildirFileNamer

    /// Writes `content` into the folder at `folderPath`; returns the file's path relative to
    /// the folder (`new/<name>` or `cur/<name>:2,<info>`) and its size.
    func write(_ content: MessageContent, folderPath: String, info: String?, syncDirectory: Bool = true) throws(StoreError) -> (
        file: String, size: Int64
    ) {
        var attempts = 0
        while true {
            let base = namer.next()
            let file: DurableFile
            do throws(FileError) {
                file = try DurableFile(creating: folderPath + "/tmp/" + base)
            } catch {
                attempts += 1
                if error.code == EEXIST && attempts < 10 { continue }
                throw StoreError.io(error.description)
            }
            let subdirectory = info == nil ? "new" : "cur"
            do throws(FileError) {
                switch content {
                case .bytes(let bytes):
                    try file.write(bytes)
                case .file(let prefix, let source, let offset):
                    try file.write(prefix)
                    try file.append(contentsOf: source, offset: offset)
                }
                let size = file.bytesWritten
                let relative = subdirectory + "/" + MaildirFileNamer.final(base: base, size: size, info: info)
                try file.commit(to: folderPath + "/" + relative, syncDirectory: syncDirectory)
                return (relative, size)
            } catch {
                // Before the rename the temporary file goes; after it (a failed directory sync) the
                // placed one, which no index row names yet.
                if file.isCommitted {
                    unlink(
                        folderPath + "/" + subdirectory + "/"
                            + MaildirFileNamer.final(base: base, size: file.bytesWritten, info: info))
                } else {
                    file.discard()
                }
                throw StoreError.io(error.description)
            }
        }
    }
}
