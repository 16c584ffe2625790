/// A Content-Type (RFC 2045 §5) with lowercased type and subtype.
public struct ContentType: Sendable, Hashable {
    public var type: String
    public var subtype: String
    public var parameters: [MIMEParameter]

    public init(type: String, subtype: String, parameters: [MIMEParameter] = []) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    /// RFC 2045 §5.2: the default, also used when the field is missing or cannot be parsed.
    public static let textPlain = ContentType(
        type: "text", subtype: "plain", parameters: [MIMEParameter(name: "charset", value: "us-ascii")])

    /// RFC 2046 §5.1.5: the default for body parts of a multipart/digest.
    public static let messageRFC822 = ContentType(type: "message", subtype: "rfc822")

    /// `type/subtype`.
    public var mimeType: String { "\(type)/\(subtype)" }
    public var charset: String? { parameters.value(of: "charset") }
    public var boundary: String? { parameters.value(of: "boundary") }
    public var isMultipart: Bool { type == "multipart" }
    public var isText: Bool { type == "text" }
    /// An encapsulated message: message/rfc822 (RFC 2046 §5.2.1) or message/global (RFC 6532 §3.7).
    public var isEncapsulatedMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// Parses a Content-Type value; nil if it is not `type "/" subtype` (RFC 2045 §5.1).
    public init?(parsing value: [UInt8]) {
        var tokenizer = MIMETokenizer(value)
        guard let type = tokenizer.token(), tokenizer.consume(0x2F), let subtype = tokenizer.token() else {
            return nil
        }
        self.type = ASCII.lowercasedString(type)
        self.subtype = ASCII.lowercasedString(subtype)
        self.parameters = MIMEParameterList.parse(&tokenizer)
    }
}
