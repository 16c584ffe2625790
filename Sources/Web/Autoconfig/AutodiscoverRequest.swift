import Core

/// Outlook's "plain old XML" autodiscover request (Microsoft's [MS-OXDSCLI] §2.2.3, the
/// `outlook/requestschema/2006` request): the address being set up.
///
///     <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
///       <Request>
///         <EMailAddress>user@example.org</EMailAddress>
///         <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
///       </Request>
///     </Autodiscover>
///
/// The body comes from anyone: it is read by `StrictXMLReader` (bounded, no DTD, no entities).
public struct AutodiscoverRequest: Sendable, Equatable {
    /// The largest body read; a real request is a few hundred bytes.
    public static let maxBodySize = 16 * 1024
    /// The only response schema served (the one Outlook asks for).
    public static let outlookResponseSchema = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"

    /// The address to configure, checked as a mailbox address (RFC 5321 §4.1.2).
    public var emailAddress: MailAddress

    /// Why a request was refused; `description` is safe to send back.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// Not well-formed, too large, or using what the reader refuses (DTD, entities, comments).
        case unreadable(String)
        /// Not `<Autodiscover><Request>…`.
        case notAnAutodiscoverRequest
        case missingEmailAddress
        case badEmailAddress
        /// `AcceptableResponseSchema` names a schema other than Outlook's (ActiveSync's `mobilesync`).
        case unsupportedResponseSchema

        public var description: String {
            switch self {
            case .unreadable(let why): "unreadable request: \(why)"
            case .notAnAutodiscoverRequest: "not an Autodiscover request"
            case .missingEmailAddress: "no EMailAddress"
            case .badEmailAddress: "EMailAddress is not a mail address"
            case .unsupportedResponseSchema: "only the outlook response schema 2006a is served"
            }
        }
    }

    public init(emailAddress: MailAddress) { self.emailAddress = emailAddress }

    /// Reads a request body.
    public init(parsing body: [UInt8]) throws(Failure) {
        let root: StrictXMLReader.Element
        do {
            root = try StrictXMLReader.parse(body, limits: .init(maxBytes: Self.maxBodySize, maxDepth: 8, maxElements: 64))
        } catch {
            throw .unreadable(Self.reason(error))
        }
        guard root.localName == "Autodiscover", let request = root.child("Request") else {
            throw .notAnAutodiscoverRequest
        }
        if let schema = request.child("AcceptableResponseSchema") {
            let name = schema.text.trimmingXMLSpace()
            guard name.isEmpty || name == Self.outlookResponseSchema else { throw .unsupportedResponseSchema }
        }
        guard let element = request.child("EMailAddress") else { throw .missingEmailAddress }
        do {
            emailAddress = try MailAddress(parsing: element.text.trimmingXMLSpace())
        } catch {
            throw .badEmailAddress
        }
    }

    private static func reason(_ failure: StrictXMLReader.Failure) -> String {
        switch failure {
        case .tooLarge: "larger than \(maxBodySize) bytes"
        case .notUTF8: "not UTF-8"
        case .tooDeep: "nested too deeply"
        case .tooManyElements: "too many elements"
        case .declarationRefused: "DOCTYPE, comments and CDATA are not accepted"
        case .entityRefused: "entity references are not accepted"
        case .malformed(let why): "not well-formed XML (\(why))"
        }
    }
}

extension String {
    /// Without leading and trailing XML white space (XML 1.0 §2.3 S).
    func trimmingXMLSpace() -> String {
        let space: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r"]
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !space.contains($0) }),
            let last = scalars.lastIndex(where: { !space.contains($0) })
        else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }
}
