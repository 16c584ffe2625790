#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MIME
import NIOPosix
import Store

/// A message a command addresses: its sequence number and UID in the session's view.
struct TargetMessage {
    var sequence: Int
    var uid: UInt32
}

extension IMAPSession {
    /// The messages of the selected mailbox a sequence set names (RFC 9051 §9 `sequence-set`),
    /// ascending. By UID, UIDs not in the mailbox are ignored and `*` is the highest UID; by
    /// sequence number, a number past the last message is an error (nil). `$` is the saved
    /// search result (RFC 5182).
    func targets(_ set: IMAPSequenceSet, uid: Bool) -> [TargetMessage]? {
        guard let current = view else { return nil }
        if case .lastResult = set {
            return current.uids.enumerated().compactMap { index, value in
                savedSearch.contains(value) ? TargetMessage(sequence: index + 1, uid: value) : nil
            }
        }
        if uid {
            guard let ranges = set.normalized(largest: current.uids.last ?? 0) else { return [] }
            return Self.positions(of: current.uids, in: ranges).map { TargetMessage(sequence: $0 + 1, uid: current.uids[$0]) }
        }
        let count = UInt32(current.count)
        guard case .ranges(let raw) = set else { return nil }
        for range in raw {
            for end in [range.first, range.last] {
                if case .number(let n) = end, n == 0 || n > count { return nil }
            }
        }
        guard let ranges = set.normalized(largest: count) else { return nil }
        var found: [TargetMessage] = []
        for range in ranges {
            for sequence in range where sequence >= 1 && sequence <= count {
                found.append(TargetMessage(sequence: Int(sequence), uid: current.uids[Int(sequence) - 1]))
            }
        }
        return found
    }

    /// Indices of the ascending `values` that fall in the ascending, merged `ranges`: one walk over
    /// both, so a set of thousands of ranges over a large mailbox stays linear.
    static func positions(of values: [UInt32], in ranges: [ClosedRange<UInt32>]) -> [Int] {
        var found: [Int] = []
        var range = 0
        for (index, value) in values.enumerated() {
            while range < ranges.count && ranges[range].upperBound < value { range += 1 }
            if range == ranges.count { break }
            if ranges[range].contains(value) { found.append(index) }
        }
        return found
    }

    /// Reads a whole message file off the event loops.
    static func readMessage(_ path: String) async throws -> [UInt8] {
        try await readFile(path, headerOnly: false)
    }

    /// Reads a message file's header, up to and including the empty line that ends it (the
    /// whole file when there is none): what ENVELOPE, HEADER fetches and header searches need.
    static func readMessageHeader(_ path: String, cache: MessageHeaderCache = .shared) async throws -> [UInt8] {
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

struct MessageFileError: Error, CustomStringConvertible {
    var path: String
    var code: Int32
    var description: String { "\(path): \(String(cString: strerror(code)))" }
}

/// The index just past the empty line ending a header (CRLF CRLF or LF LF), searching from `start`.
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
