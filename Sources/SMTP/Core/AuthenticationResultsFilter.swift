/// Removes, as a message streams into the spool, the `Authentication-Results` fields that claim
/// this host's `authserv-id` (RFC 8601 §5: a receiver removes such fields that it did not add
/// itself, since a sender can forge them). Other hosts' fields, and everything else, pass
/// unchanged. Only the header is looked at; the body streams through untouched.
///
/// Call order: `filter` for each chunk as it arrives, then `finish` once at the end of the data
/// (a held field with no empty line after it is then written out).
///
/// Bounded: a line is held until its end, an `Authentication-Results` field until the next
/// field starts; a line or field over `maxHeld` octets ends the filtering (the rest streams
/// through as it is).
public struct AuthenticationResultsFilter: Sendable {
    public static let maxHeld = 64 * 1024
    /// The `authserv-id` to remove, lower case.
    public let authservID: String
    private var line: [UInt8] = []
    /// The Authentication-Results field being read (its complete lines).
    private var held: [UInt8] = []
    private var inHeader = true

    public init(authservID: String) {
        self.authservID = authservID.lowercased()
    }

    /// What of `bytes` goes into the spool now.
    public mutating func filter(_ bytes: some Collection<UInt8>) -> [UInt8] {
        guard inHeader else { return Array(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let octet = bytes[index]
            index = bytes.index(after: index)
            line.append(octet)
            if octet == 0x0A {
                endLine(&out)
                if !inHeader {
                    out += bytes[index...]
                    return out
                }
            } else if line.count + held.count > Self.maxHeld {
                out += held + line
                (held, line, inHeader) = ([], [], false)
                out += bytes[index...]
                return out
            }
        }
        return out
    }

    /// What is still held, at the end of the data.
    public mutating func finish() -> [UInt8] {
        defer { (held, line, inHeader) = ([], [], false) }
        guard inHeader else { return [] }
        return (isClaimed(held) ? [] : held) + line
    }

    private mutating func endLine(_ out: inout [UInt8]) {
        defer { line.removeAll(keepingCapacity: true) }
        let first = line[0]
        if first == 0x20 || first == 0x09 {
            // A continuation line belongs to the field above.
            if held.isEmpty { out += line } else { held += line }
            return
        }
        if !isClaimed(held) { out += held }
        held.removeAll(keepingCapacity: true)
        if line == [0x0D, 0x0A] || line == [0x0A] {
            // The empty line: the header ends here.
            out += line
            inHeader = false
        } else if Self.isResultsField(line) {
            held = line
        } else {
            out += line
        }
    }

    /// Whether `field` (one whole header field) is an Authentication-Results field of ours.
    public func claims(_ field: [UInt8]) -> Bool { Self.isResultsField(field) && isClaimed(field) }

    private static let name = Array("authentication-results".utf8)

    static func isResultsField(_ line: [UInt8]) -> Bool {
        guard line.count > name.count, let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return false }
        var end = colon
        while end > 0, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        return end == name.count && zip(line[..<end], name).allSatisfy { ($0 | 0x20) == $1 }
    }

    /// Whether `field` is an Authentication-Results field whose authserv-id (RFC 8601 §2.2, after
    /// any comments and folding white space) is ours.
    func isClaimed(_ field: [UInt8]) -> Bool {
        guard !field.isEmpty, let colon = field.firstIndex(of: UInt8(ascii: ":")) else { return false }
        var index = colon + 1
        var depth = 0
        while index < field.count {
            let octet = field[index]
            if octet == UInt8(ascii: "(") {
                depth += 1
            } else if octet == UInt8(ascii: ")") && depth > 0 {
                depth -= 1
            } else if depth == 0 && ![0x20, 0x09, 0x0D, 0x0A].contains(octet) {
                break
            }
            index += 1
        }
        var id: [UInt8] = []
        while index < field.count, ![0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ";"), UInt8(ascii: "(")].contains(field[index]) {
            id.append(field[index] >= 0x41 && field[index] <= 0x5A ? field[index] | 0x20 : field[index])
            index += 1
        }
        return !id.isEmpty && id == Array(authservID.utf8)
    }
}
