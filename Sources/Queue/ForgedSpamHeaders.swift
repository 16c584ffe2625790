import Foundation

/// A sender's own `X-Spam-*` fields are left out at delivery when Posta adds its verdict, so
/// that a forged `X-Spam-Flag` never passes for Posta's (docs/filter.md). The spool file stays
/// as received: delivery writes the header section without them, then copies the rest.
enum ForgedSpamHeaders {
    /// Header sections longer than this are delivered unchanged.
    static let limit = 1 << 20

    /// Whether `added` (CRLF-ended fields Posta adds at delivery) carries a spam verdict.
    static func isVerdict(_ added: String) -> Bool {
        added.split(separator: "\r\n").contains { $0.lowercased().hasPrefix("x-spam-") }
    }

    /// The header section of the file at `path` without its `X-Spam-*` fields, and the offset of
    /// the rest (the empty line and body); nil when it has none.
    static func strip(path: String) throws -> (header: [UInt8], rest: Int64)? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let bytes = [UInt8](try handle.read(upToCount: limit + 1) ?? Data())
        let end: Int
        if let blank = bytes.firstRange(of: Array("\r\n\r\n".utf8)) {
            end = blank.lowerBound + 2
        } else if bytes.count <= limit {
            end = bytes.count
        } else {
            return nil
        }
        return strip(header: bytes[..<end]).map { ($0, Int64(end)) }
    }

    /// `header` (CRLF-ended lines) without `X-Spam-*` fields and their continuation lines.
    static func strip(header: ArraySlice<UInt8>) -> [UInt8]? {
        var kept: [UInt8] = []
        var dropping = false
        var dropped = false
        var start = header.startIndex
        while start < header.endIndex {
            let lineEnd =
                header[start...].firstRange(of: [0x0D, 0x0A]).map(\.upperBound) ?? header.endIndex
            let line = header[start..<lineEnd]
            if let first = line.first, first != 0x20, first != 0x09 {
                dropping = String(decoding: line.prefix(7), as: UTF8.self).lowercased() == "x-spam-"
            }
            if dropping { dropped = true } else { kept += line }
            start = lineEnd
        }
        return dropped ? kept : nil
    }
}
