import Crypto
import Foundation

/// An MTA-STS policy (RFC 8461 §3.2), as fetched from
/// `https://mta-sts.<domain>/.well-known/mta-sts.txt` or as the site serves its own.
public struct MTASTSPolicy: Sendable, Hashable, Codable {
    public var mode: MTASTSMode
    /// The MX hosts mail may go to, in policy order.
    public var mx: [MTASTSMXPattern]
    /// How long (seconds) a sender may cache the policy, at most `MTASTSLimits.maxAge`.
    public var maxAge: Int64
    /// Fields this version does not define, in file order (ignored, §3.2).
    public var extensions: [MTASTSField]

    public init(mode: MTASTSMode, mx: [MTASTSMXPattern], maxAge: Int64, extensions: [MTASTSField] = []) {
        self.mode = mode
        self.mx = mx
        self.maxAge = min(max(0, maxAge), MTASTSLimits.maxAge)
        self.extensions = extensions
    }

    /// Whether the policy lets mail go to the MX host `host` (RFC 8461 §4.1).
    public func allows(mxHost host: String) -> Bool {
        mx.contains { $0.matches(host) }
    }

    /// The policy file as the site serves it: one field per line, CRLF-terminated (§3.2).
    public var text: String {
        lines.map { $0 + "\r\n" }.joined()
    }

    /// An `id` for the `_mta-sts` TXT record derived from the policy's content (RFC 8461 §3.1: it
    /// must change whenever the policy does): the first 32 hex digits of the text's SHA-256.
    public var id: String {
        String(SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined().prefix(32))
    }

    /// The policy's fields as lines without terminators, as TLS-RPT's `policy-string` lists them
    /// (RFC 8460 §4.4).
    public var lines: [String] {
        ["version: STSv1", "mode: \(mode.rawValue)"] + mx.map { "mx: \($0)" } + ["max_age: \(maxAge)"]
            + extensions.map { "\($0.name): \($0.value)" }
    }
}

/// Why a policy file was refused; the sender then acts as if the domain had no policy, or keeps
/// a cached one (RFC 8461 §3.3, §5.1), and reports `sts-policy-invalid` (RFC 8460 §4.3.2.2).
public enum MTASTSPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    case tooLarge(Int)
    case notUTF8
    case malformedLine(Int)
    case missingField(String)
    case invalidValue(field: String, line: Int)
    case duplicateField(String)
    case tooManyLines
    case tooManyMXPatterns

    public var description: String {
        switch self {
        case .tooLarge(let size): "policy of \(size) octets exceeds \(MTASTSLimits.maxPolicySize)"
        case .notUTF8: "policy is not UTF-8"
        case .malformedLine(let line): "line \(line) is not `name: value`"
        case .missingField(let name): "no \(name) field"
        case .invalidValue(let field, let line): "invalid \(field) on line \(line)"
        case .duplicateField(let name): "\(name) appears more than once"
        case .tooManyLines: "more than \(MTASTSLimits.maxLines) lines"
        case .tooManyMXPatterns: "more than \(MTASTSLimits.maxMXPatterns) mx fields"
        }
    }
}

extension MTASTSPolicy {
    /// Parses a policy body (RFC 8461 §3.2):
    ///
    /// ```
    /// sts-policy-record      = sts-policy-field *WSP *(sts-policy-term sts-policy-field *WSP) [sts-policy-term]
    /// sts-policy-field-delim = ":" *WSP
    /// sts-policy-term        = LF / CRLF
    /// ```
    ///
    /// Field names are case-sensitive; `version: STSv1`, `mode` and `max_age` must each appear once,
    /// `mx` at least once unless the mode is `none`; unknown fields are kept as extensions. Empty
    /// lines (other than the one optional final terminator), missing delimiters, bytes outside the
    /// grammar and anything beyond `MTASTSLimits` make the whole policy invalid.
    public init(parsing body: [UInt8]) throws(MTASTSPolicyError) {
        guard body.count <= MTASTSLimits.maxPolicySize else { throw .tooLarge(body.count) }
        guard String(validating: body, as: UTF8.self) != nil else { throw .notUTF8 }
        // Split on the octets: in a Swift String, CRLF is one Character.
        var rawLines = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        if rawLines.last?.isEmpty == true { rawLines.removeLast() }  // the optional final terminator
        guard rawLines.count <= MTASTSLimits.maxLines else { throw .tooManyLines }
        var version: String?
        var mode: MTASTSMode?
        var maxAge: Int64?
        var mx: [MTASTSMXPattern] = []
        var extensions: [MTASTSField] = []
        for (offset, line) in rawLines.enumerated() {
            let number = offset + 1
            guard let colon = line.firstIndex(of: ":") else { throw .malformedLine(number) }
            let name = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            value = value.drop { $0 == " " || $0 == "\t" }
            while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
            guard Self.isFieldName(name), !value.isEmpty,
                value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F || $0 == " " || $0 == "\t" })
            else { throw .malformedLine(number) }
            let field = String(value)
            switch name {
            case "version":
                guard version == nil else { throw .duplicateField(name) }
                guard field == "STSv1" else { throw .invalidValue(field: name, line: number) }
                version = field
            case "mode":
                guard mode == nil else { throw .duplicateField(name) }
                guard let parsed = MTASTSMode(rawValue: field) else { throw .invalidValue(field: name, line: number) }
                mode = parsed
            case "max_age":
                guard maxAge == nil else { throw .duplicateField(name) }
                // 1*10(DIGIT); values above the §3.2 maximum count as the maximum.
                guard (1...10).contains(field.utf8.count), field.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                    let seconds = Int64(field)
                else { throw .invalidValue(field: name, line: number) }
                maxAge = min(seconds, MTASTSLimits.maxAge)
            case "mx":
                guard let pattern = MTASTSMXPattern(field) else { throw .invalidValue(field: name, line: number) }
                guard mx.count < MTASTSLimits.maxMXPatterns else { throw .tooManyMXPatterns }
                mx.append(pattern)
            default:
                extensions.append(MTASTSField(name: name, value: field))
            }
        }
        guard version != nil else { throw .missingField("version") }
        guard let mode else { throw .missingField("mode") }
        guard let maxAge else { throw .missingField("max_age") }
        guard mode == .none || !mx.isEmpty else { throw .missingField("mx") }
        self.init(mode: mode, mx: mx, maxAge: maxAge, extensions: extensions)
    }

    /// sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."); the defined
    /// field names fit it too.
    static func isFieldName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first.isASCIILetterOrDigit, bytes.count <= 32 else { return false }
        return bytes.allSatisfy { $0.isASCIILetterOrDigit || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
    }
}
