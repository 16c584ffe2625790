import Foundation

/// RFC 5293: one header change a script made, in a form that can be replayed on the raw header.
public enum SieveHeaderEdit: Sendable, Equatable {
    /// RFC 5293 §4 addheader: a field at the top of the header, or at the end with `last`. `value` is
    /// unfolded text; `apply` encodes it (RFC 2047) when it is not ASCII.
    case add(name: String, value: String, last: Bool)
    /// RFC 5293 §5 deleteheader: remove the fields named `name` at these 1-based positions (ascending),
    /// counted among the fields of that name in the header as the earlier edits left it.
    case delete(name: String, occurrences: [Int])

    /// RFC 5293 §9: fields a script cannot delete (Received: the trace) ...
    static let undeletableFields: Set<String> = ["received", "auto-submitted"]
    /// ... and cannot add (Auto-Submitted: loop protection). Adding Received is allowed, as in Pigeonhole.
    static let unaddableFields: Set<String> = ["auto-submitted"]

    /// The line an added field is written as: CR and LF replaced (no header injection), non-ASCII text as
    /// RFC 2047 encoded words.
    /// A value on one line: every CR and LF (a CRLF pair is one Character, so scalars are mapped) becomes a space.
    static func singleLine(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars { scalars.append(scalar == "\r" || scalar == "\n" ? " " : scalar) }
        return String(scalars)
    }

    static func fieldLine(name: String, value: String) -> [UInt8] {
        let clean = singleLine(value)
        let encoded: String
        if clean.utf8.allSatisfy({ $0 < 0x80 }) {
            encoded = clean
        } else {
            // RFC 2047 §2: encoded words of at most 75 characters; chunks end on character boundaries.
            var words: [String] = []
            var chunk: [UInt8] = []
            for character in clean {
                let bytes = Array(String(character).utf8)
                if chunk.count + bytes.count > 45 {
                    words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                    chunk = []
                }
                chunk += bytes
            }
            if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
            encoded = words.joined(separator: "\r\n ")
        }
        return Array("\(name): \(encoded)\r\n".utf8)
    }

    /// Applies edits to a raw header section (fields, optionally followed by the empty line and more):
    /// fields not touched keep their bytes; whatever follows the fields is kept as it is.
    public static func apply(_ edits: [SieveHeaderEdit], to header: [UInt8]) -> [UInt8] {
        var fields: [[UInt8]] = []
        var index = 0
        // Split into fields: a field runs until a line that does not start with white space.
        while index < header.count {
            if header[index] == 0x0D || header[index] == 0x0A { break }
            var end = index
            repeat {
                while end < header.count, header[end] != 0x0A { end += 1 }
                if end < header.count { end += 1 }
            } while end < header.count && (header[end] == 0x20 || header[end] == 0x09)
            fields.append(Array(header[index..<end]))
            index = end
        }
        let rest = header[index...]
        func name(of field: [UInt8]) -> String {
            let colon = field.firstIndex(of: UInt8(ascii: ":")) ?? field.count
            return String(decoding: field[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces)
        }
        for edit in edits {
            switch edit {
            case .add(let fieldName, let value, let last):
                let line = fieldLine(name: fieldName, value: value)
                if last { fields.append(line) } else { fields.insert(line, at: 0) }
            case .delete(let fieldName, let occurrences):
                let wanted = Set(occurrences)
                var seen = 0
                fields.removeAll { field in
                    guard name(of: field).caseInsensitiveEquals(fieldName) else { return false }
                    seen += 1
                    return wanted.contains(seen)
                }
            }
        }
        if let last = fields.last, last.last != 0x0A { fields[fields.count - 1] += [0x0D, 0x0A] }
        return fields.flatMap { $0 } + rest
    }
}
