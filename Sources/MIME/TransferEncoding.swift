/// Content-Transfer-Encoding (RFC 2045 §6).
public enum TransferEncoding: Sendable, Hashable {
    case sevenBit, eightBit, binary, quotedPrintable, base64
    /// An encoding this module cannot decode (IMAP BINARY answers UNKNOWN-CTE, RFC 3516 §4.3).
    case other(String)

    /// From a field value; case-insensitive, comments ignored; nil or empty means 7bit (RFC 2045 §6.1).
    public init(_ value: String?) {
        var tokenizer = MIMETokenizer(Array((value ?? "").utf8))
        let name = tokenizer.token().map(ASCII.lowercasedString) ?? ""
        switch name {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        default: self = .other(name)
        }
    }

    /// The lowercase name (as IMAP's body-fld-enc carries it).
    public var name: String {
        switch self {
        case .sevenBit: "7bit"
        case .eightBit: "8bit"
        case .binary: "binary"
        case .quotedPrintable: "quoted-printable"
        case .base64: "base64"
        case .other(let name): name
        }
    }

    /// Whether the content is sent as is (no decoding needed).
    public var isIdentity: Bool {
        switch self {
        case .sevenBit, .eightBit, .binary: true
        default: false
        }
    }

    /// Decodes content; nil for an unknown encoding.
    public func decode(_ content: ArraySlice<UInt8>) -> [UInt8]? {
        switch self {
        case .sevenBit, .eightBit, .binary: Array(content)
        case .quotedPrintable: QuotedPrintable.decode(content)
        case .base64: Base64.decode(content)
        case .other: nil
        }
    }
}
