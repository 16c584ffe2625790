/// The DSN and body parameters of an SMTP transaction (RFC 3461, RFC 6152, RFC 3030), typed from the
/// SMTP server's parser through the queue to the SMTP client and DSN generation. Each has one
/// textual form, its RFC spelling (ORCPT's address xtext-decoded), used in the queue's SQL columns
/// and in quarantine JSON, and read back by the one `init?(text:)` of each type.

/// A value whose Codable form is its `text`, read back by `init?(text:)`. An OptionSet would get
/// its raw value's Codable instead of these, so a conforming type says `init(from:)` and
/// `encode(to:)` itself, forwarding to `init(textFrom:)` and `encodeText(to:)`.
public protocol TextCodable: Codable {
    init?(text: String)
    var text: String { get }
}

extension TextCodable {
    public init(textFrom decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a \(Self.self): \(text)")
        }
        self = value
    }

    public func encodeText(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// `RET=` of MAIL (RFC 3461 §4.3): how much of the message a DSN returns.
public enum DSNReturn: String, Sendable, Hashable, Codable {
    case full = "FULL"
    case headers = "HDRS"

    /// Parses an `RET=` value (case-insensitive, RFC 3461 §4.3); nil when it is neither FULL nor HDRS.
    public init?(text: some StringProtocol) { self.init(rawValue: text.uppercased()) }
}

/// The `BODY=` parameter of MAIL: 7BIT (RFC 5321), 8BITMIME (RFC 6152), BINARYMIME (RFC 3030).
public enum MessageBodyType: String, Sendable, Hashable, Codable {
    case sevenBit = "7BIT"
    case eightBitMIME = "8BITMIME"
    case binaryMIME = "BINARYMIME"

    /// Parses a `BODY=` value (case-insensitive); nil for an unknown body type.
    public init?(text: some StringProtocol) { self.init(rawValue: text.uppercased()) }

    /// The content may have octets above 127, so it needs `BODY=8BITMIME` to be relayed (RFC 6152 §3).
    public var isEightBit: Bool { self != .sevenBit }
}

/// `NOTIFY=` of RCPT (RFC 3461 §4.1). The empty set is `NOTIFY=NEVER`.
public struct DSNNotify: OptionSet, Sendable, Hashable, TextCodable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let success = DSNNotify(rawValue: 1)
    public static let failure = DSNNotify(rawValue: 2)
    public static let delay = DSNNotify(rawValue: 4)
    /// `NOTIFY=NEVER`.
    public static let never: DSNNotify = []

    private static let keywords: [(DSNNotify, String)] = [(.success, "SUCCESS"), (.failure, "FAILURE"), (.delay, "DELAY")]

    /// Parses a `NOTIFY=` value, RFC 3461 §4.1: `"NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )`,
    /// case-insensitive; nil for anything else, a repeated keyword included.
    public init?(text: some StringProtocol) {
        let items = text.uppercased().split(separator: ",", omittingEmptySubsequences: false)
        if items == ["NEVER"] {
            self = .never
            return
        }
        var notify: DSNNotify = []
        for item in items {
            guard let flag = Self.keywords.first(where: { $0.1 == item })?.0, !notify.contains(flag) else { return nil }
            notify.insert(flag)
        }
        self = notify
    }

    /// The value as sent and stored: `NEVER`, or the keywords in RFC order (`SUCCESS,FAILURE,DELAY`).
    public var text: String {
        isEmpty ? "NEVER" : Self.keywords.filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }

    public init?(text: String) { self.init(text: Substring(text)) }
    public init(from decoder: any Decoder) throws { try self.init(textFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }

    public var description: String { text }
}

/// `ORCPT=addr-type;xtext` of RCPT (RFC 3461 §4.2), with the xtext decoded.
public struct DSNOriginalRecipient: Sendable, Hashable, TextCodable, CustomStringConvertible {
    /// e.g. `"rfc822"` (as sent; compare case-insensitively).
    public var addressType: String
    public var address: String

    public init(addressType: String, address: String) {
        self.addressType = addressType
        self.address = address
    }

    /// Reads `text` back: the type up to the first `;`, the decoded address after it; nil when
    /// either is empty.
    public init?(text: some StringProtocol) {
        guard let semicolon = text.firstIndex(of: ";") else { return nil }
        let type = text[..<semicolon]
        let address = text[text.index(after: semicolon)...]
        guard !type.isEmpty, !address.isEmpty else { return nil }
        self.init(addressType: String(type), address: String(address))
    }

    /// `rfc822;bob@example.org`: the stored form and the RFC 3464 §2.3.1 `Original-Recipient` value.
    public var text: String { "\(addressType);\(address)" }

    public init?(text: String) { self.init(text: Substring(text)) }
    public init(from decoder: any Decoder) throws { try self.init(textFrom: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }

    public var description: String { text }
}
