/// A Content-Disposition (RFC 2183) with lowercased type.
public struct ContentDisposition: Sendable, Hashable {
    /// `inline`, `attachment`, or an extension token, lowercased.
    public var type: String
    public var parameters: [MIMEParameter]

    public init(type: String, parameters: [MIMEParameter] = []) {
        self.type = type
        self.parameters = parameters
    }

    /// The `filename` parameter (RFC 2183 §2.3), as written (see `MIMEEntity.filename` for decoding).
    public var filename: String? { parameters.value(of: "filename") }

    /// Parses a Content-Disposition value; nil without a disposition type.
    public init?(parsing value: [UInt8]) {
        var tokenizer = MIMETokenizer(value)
        guard let type = tokenizer.token() else { return nil }
        self.type = ASCII.lowercasedString(type)
        self.parameters = MIMEParameterList.parse(&tokenizer)
    }
}
