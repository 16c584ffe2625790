import Foundation

/// The header section of a spooled message, read with a bound and edited field by field (a
/// field is its first line and the continuation lines after it, RFC 5322 §2.2.3). The spool file
/// itself is never changed: callers write the edited section, then the rest of the file.
enum HeaderSection {
    /// Header sections longer than this are left as they are.
    static let limit = 1 << 20

    /// The header section of the file at `path` (through the CRLF of its last field; the whole
    /// file when it has no body) — its length is where the rest starts; nil when over `limit`.
    static func read(path: String) throws -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let bytes = [UInt8](try handle.read(upToCount: limit + 1) ?? Data())
        if let blank = bytes.firstRange(of: Array("\r\n\r\n".utf8)) { return Array(bytes[..<(blank.lowerBound + 2)]) }
        return bytes.count <= limit ? bytes : nil
    }

    /// Each field: its lower-cased name (what precedes the first colon, or the whole first line)
    /// and its lines.
    static func fields(_ header: [UInt8]) -> [(name: String, lines: Range<Int>)] {
        var fields: [(name: String, lines: Range<Int>)] = []
        var start = 0
        while start < header.count {
            let end = header[start...].firstRange(of: [0x0D, 0x0A]).map(\.upperBound) ?? header.count
            if let first = fields.last, header[start] == 0x20 || header[start] == 0x09 {
                fields[fields.count - 1].lines = first.lines.lowerBound..<end
            } else {
                let line = header[start..<end]
                let name = line.prefix(while: { $0 != UInt8(ascii: ":") && $0 != 0x0D && $0 != 0x0A })
                fields.append((String(decoding: name, as: UTF8.self).lowercased(), start..<end))
            }
            start = end
        }
        return fields
    }

    /// `header` without the fields whose name `drop` selects; nil when it has none of them.
    static func strip(_ header: [UInt8], dropping drop: (String) -> Bool) -> [UInt8]? {
        let all = fields(header)
        let kept = all.filter { !drop($0.name) }
        guard kept.count < all.count else { return nil }
        return kept.flatMap { header[$0.lines] }
    }

    /// The unfolded values (CRLFs removed, leading and trailing white space trimmed) of the fields named `name`.
    static func values(_ header: [UInt8], named name: String) -> [String] {
        let wanted = name.lowercased()
        return fields(header).filter { $0.name == wanted }.map { field in
            let text = String(decoding: header[field.lines], as: UTF8.self)
            let value = text.drop(while: { $0 != ":" }).dropFirst()
            return value.replacingOccurrences(of: "\r\n", with: "").trimmingCharacters(in: .whitespaces)
        }
    }
}
