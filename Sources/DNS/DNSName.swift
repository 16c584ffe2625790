/// A domain name as a sequence of labels (RFC 1035 §3.1), compared case-insensitively
/// (RFC 4343 §3): ASCII letters are folded to lower case when the name is made.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// RFC 1035 §2.3.4: labels of 63 octets or less, names of 255 octets or less (wire form).
    public static let maxLabelLength = 63
    public static let maxWireLength = 255

    /// The labels, most specific first, without the empty root label.
    public let labels: [[UInt8]]

    public static let root = DNSName(checkedLabels: [])

    /// Labels already checked for length; letters are folded here.
    init(checkedLabels labels: [[UInt8]]) {
        self.labels = labels.map { $0.map(Self.lowercased) }
    }

    /// Parses a name in text form: dot-separated labels, an optional trailing dot, `.` for the
    /// root. Master-file escapes (`\.`, `\DDD`, RFC 1035 §5.1) are understood so that
    /// `description` round-trips. Only printable ASCII is accepted (no IDNA here).
    public init(_ text: String) throws {
        if text == "." {
            self = .root
            return
        }
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { throw DNSError.invalidName("empty name") }
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        var pendingLabel = false
        while index < utf8.count {
            let char = utf8[index]
            guard char < 0x80 else { throw DNSError.invalidName("\"\(text)\" is not ASCII (IDNA is not supported)") }
            guard char > 0x20 && char != 0x7F else {
                throw DNSError.invalidName("\"\(text)\" contains a space or control character")
            }
            index += 1
            switch char {
            case UInt8(ascii: "."):
                guard pendingLabel else { throw DNSError.invalidName("\"\(text)\" has an empty label") }
                labels.append(current)
                current = []
                pendingLabel = false
            case UInt8(ascii: "\\"):
                guard index < utf8.count else { throw DNSError.invalidName("\"\(text)\" ends with a backslash") }
                if index + 2 < utf8.count, utf8[index...(index + 2)].allSatisfy({ (0x30...0x39).contains($0) }) {
                    let value = utf8[index...(index + 2)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                    guard value <= 255 else { throw DNSError.invalidName("\"\(text)\" has an escape over \\255") }
                    current.append(UInt8(value))
                    index += 3
                } else {
                    current.append(utf8[index])
                    index += 1
                }
                pendingLabel = true
            default:
                current.append(char)
                pendingLabel = true
            }
            guard current.count <= Self.maxLabelLength else {
                throw DNSError.invalidName("\"\(text)\" has a label over \(Self.maxLabelLength) octets")
            }
        }
        if pendingLabel { labels.append(current) }
        self.init(checkedLabels: labels)
        guard wireLength <= Self.maxWireLength else {
            throw DNSError.invalidName("\"\(text)\" is over \(Self.maxWireLength) octets")
        }
    }

    /// Octets in uncompressed wire form, the root label included.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    public var isRoot: Bool { labels.isEmpty }

    /// Lower-case text form without the trailing dot (`.` for the root); octets outside
    /// printable ASCII and the characters `.` and `\` are escaped as in RFC 1035 §5.1.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for (position, label) in labels.enumerated() {
            if position > 0 { text += "." }
            for octet in label {
                switch octet {
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text += "\\" + String(UnicodeScalar(octet))
                case 0x21...0x7E:
                    text.unicodeScalars.append(UnicodeScalar(octet))
                default:
                    let digits = String(octet)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
        }
        return text
    }

    /// Whether this name equals `other` or lies below it.
    public func isSubdomain(of other: DNSName) -> Bool {
        labels.count >= other.labels.count && Array(labels.suffix(other.labels.count)) == other.labels
    }

    /// The name for a PTR lookup: `d.c.b.a.in-addr.arpa` (RFC 1035 §3.5) or the 32 reversed
    /// nibbles under `ip6.arpa` (RFC 3596 §2.5).
    public static func reverseLookupName(for address: IPAddress) -> DNSName {
        var labels: [[UInt8]] = []
        if address.isIPv4 {
            labels = address.bytes.reversed().map { Array(String($0).utf8) }
            labels += [Array("in-addr".utf8), Array("arpa".utf8)]
        } else {
            for octet in address.bytes.reversed() {
                labels.append(Array(String(octet & 0x0F, radix: 16).utf8))
                labels.append(Array(String(octet >> 4, radix: 16).utf8))
            }
            labels += [Array("ip6".utf8), Array("arpa".utf8)]
        }
        return DNSName(checkedLabels: labels)
    }

    static func lowercased(_ octet: UInt8) -> UInt8 {
        (0x41...0x5A).contains(octet) ? octet | 0x20 : octet
    }
}
