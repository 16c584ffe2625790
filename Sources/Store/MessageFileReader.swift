import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads message files (IMAP FETCH and SEARCH, webmail) on NIO's thread pool, never on an event loop.
public enum MessageFileReader {
    /// Reads a whole message file off the event loops.
    public static func readMessage(_ path: String) async throws -> [UInt8] {
        try await readFile(path, headerOnly: false)
    }

    /// Reads a message file's header, up to and including the empty line that ends it (the
    /// whole file when there is none): what ENVELOPE, HEADER fetches and header searches need.
    public static func readMessageHeader(_ path: String, cache: MessageHeaderCache = .shared) async throws -> [UInt8] {
        if let cached = cache.header(path) { return cached }
        let header = try await readFile(path, headerOnly: true)
        cache.store(header, path: path)
        return header
    }

    private static func readFile(_ path: String, headerOnly: Bool) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw MessageFileError(path: path, code: errno) }
            defer { closeDescriptor(fd) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: headerOnly ? 8 * 1024 : 64 * 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MessageFileError(path: path, code: errno)
                }
                if n == 0 { return bytes }
                let searchFrom = max(0, bytes.count - 3)
                bytes += chunk[0..<n]
                if headerOnly, let end = headerEnd(bytes, from: searchFrom) { return Array(bytes[..<end]) }
            }
        }
    }
}

public struct MessageFileError: Error, CustomStringConvertible {
    public var path: String
    public var code: Int32
    public var description: String { "\(path): \(String(cString: strerror(code)))" }
}

/// The index just past the empty line ending a header (CRLF CRLF or LF LF), searching from `start`.
/// The header section of a message given as bytes: up to and including the empty line, or all
/// of it when it has none.
func headerSection(_ bytes: [UInt8]) -> [UInt8] {
    headerEnd(bytes, from: 0).map { Array(bytes[..<$0]) } ?? bytes
}

private func headerEnd(_ bytes: [UInt8], from start: Int) -> Int? {
    var index = start
    while index + 1 < bytes.count {
        if bytes[index] == 10 {
            if bytes[index + 1] == 10 { return index + 2 }
            if bytes[index + 1] == 13, index + 2 < bytes.count, bytes[index + 2] == 10 { return index + 3 }
        }
        index += 1
    }
    return nil
}

/// `close(2)`, named apart from the session's CLOSE command.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
