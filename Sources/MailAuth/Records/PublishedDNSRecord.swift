import Core

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

    /// The text as RFC 1035 §5.1 character-strings of at most 255 octets each, quoted.
    public var characterStrings: [String] { DNSCharacterStrings.quoted(text) }

    /// The record as a zone-file line: `name. IN TXT ( "…" "…" )`, with the comment after `;`.
    public var zoneFileLine: String {
        "\(name). IN \(type) \(DNSCharacterStrings.presentation(text))" + (comment.map { " ; \($0)" } ?? "")
    }
}
