/// A DNS record the site asks its administrator to publish (a DKIM key now; DMARC, MTA-STS and
/// TLS-RPT records later), with its zone-file form.
public struct PublishedDNSRecord: Sendable, Hashable, Codable {
    /// The owner name, fully qualified, without the trailing dot.
    public var name: String
    /// The record type; TXT for everything mail authentication publishes.
    public var type: String
    /// The record's text, as verifiers read it (character-strings joined).
    public var text: String
    /// What the record is for, for people.
    public var comment: String?

    public init(name: String, type: String = "TXT", text: String, comment: String? = nil) {
        self.name = name
        self.type = type
        self.text = text
        self.comment = comment
    }

    /// The text as RFC 1035 §5.1 character-strings of at most 255 octets each (a 2048-bit DKIM
    /// key does not fit in one), quoted, with `"` and `\` escaped.
    public var characterStrings: [String] {
        var strings: [String] = []
        var current = ""
        var length = 0
        for scalar in text.unicodeScalars {
            let octets = String(scalar).utf8.count
            if length + octets > 255 {
                strings.append(current)
                current = ""
                length = 0
            }
            current.unicodeScalars.append(scalar)
            length += octets
        }
        strings.append(current)
        return strings.map { "\"" + $0.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"") + "\"" }
    }

    /// The record as a zone-file line: `name. IN TXT ( "…" "…" )`, with the comment after `;`.
    public var zoneFileLine: String {
        let strings = characterStrings
        let data = strings.count == 1 ? strings[0] : "( " + strings.joined(separator: " ") + " )"
        return "\(name). IN \(type) \(data)" + (comment.map { " ; \($0)" } ?? "")
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
