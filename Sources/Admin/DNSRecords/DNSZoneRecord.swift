import Core

/// One resource record the site asks its administrator to publish, typed, with its zone-file
/// form (RFC 1035 §5.1 master file syntax; the zone's default TTL and class IN).
public struct DNSZoneRecord: Sendable, Hashable {
    /// The record data, in the fields of its type.
    public enum RecordData: Sendable, Hashable {
        /// RFC 1035 §3.3.9.
        case mx(preference: Int, exchange: String)
        /// RFC 1035 §3.3.14: the text as verifiers read it (its character-strings joined).
        case txt(String)
        /// RFC 2782; `target` "." (and port 0) says the service is not offered (RFC 6186 §4).
        case srv(priority: Int, weight: Int, port: Int, target: String)
        /// RFC 1035 §3.3.1.
        case cname(String)
    }

    /// The owner name, fully qualified, without the trailing dot.
    public var name: String
    public var data: RecordData
    /// What the record is for, for people (after `;` in the zone file).
    public var comment: String?

    public init(name: String, data: RecordData, comment: String? = nil) {
        self.name = name
        self.data = data
        self.comment = comment
    }

    /// The record type's mnemonic.
    public var type: String {
        switch data {
        case .mx: "MX"
        case .txt: "TXT"
        case .srv: "SRV"
        case .cname: "CNAME"
        }
    }

    /// The record data in master-file form: domain names absolute (trailing dot), TXT text as
    /// quoted character-strings of at most 255 octets each, in parentheses when there are several.
    public var presentation: String {
        switch data {
        case .mx(let preference, let exchange): "\(preference) \(Self.absolute(exchange))"
        case .txt(let text): DNSCharacterStrings.presentation(text)
        case .srv(let priority, let weight, let port, let target): "\(priority) \(weight) \(port) \(Self.absolute(target))"
        case .cname(let target): Self.absolute(target)
        }
    }

    /// The record as one zone-file line: `name. IN TYPE data ; comment`.
    public var zoneFileLine: String {
        "\(Self.absolute(name)) IN \(type) \(presentation)" + (comment.map { " ; " + Self.oneLine($0) } ?? "")
    }

    /// What a resolver returns as text: a TXT record's joined text, else the presentation form.
    public var text: String {
        if case .txt(let text) = data { return text }
        return presentation
    }

    static func absolute(_ name: String) -> String { name == "." || name.hasSuffix(".") ? name : name + "." }

    /// A comment stays on its line.
    private static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}

extension DNSZoneRecord: Encodable {
    private enum CodingKeys: String, CodingKey { case name, type, data, text, comment }

    /// `{"name", "type", "data" (presentation form), "text" (`text`), "comment"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(presentation, forKey: .data)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(comment, forKey: .comment)
    }
}
