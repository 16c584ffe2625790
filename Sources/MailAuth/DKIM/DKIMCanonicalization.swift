/// A canonicalization algorithm (RFC 6376 §3.4): how header fields or the body are
/// normalised before hashing.
public enum DKIMCanonicalization: String, Sendable, Hashable, CaseIterable, Codable {
    /// Tolerates almost no change (§3.4.1, §3.4.3).
    case simple
    /// Tolerates changes of white space, header field name case and line folding (§3.4.2, §3.4.4).
    case relaxed
}

/// The `c=` tag: header and body canonicalization (§3.5), `simple/simple` when absent; one
/// word names the header algorithm and leaves the body `simple`.
public struct DKIMCanonicalizations: Sendable, Hashable, CustomStringConvertible {
    public var header: DKIMCanonicalization
    public var body: DKIMCanonicalization

    public init(header: DKIMCanonicalization, body: DKIMCanonicalization) {
        self.header = header
        self.body = body
    }

    public static let relaxed = DKIMCanonicalizations(header: .relaxed, body: .relaxed)
    public static let simple = DKIMCanonicalizations(header: .simple, body: .simple)

    public var description: String { "\(header.rawValue)/\(body.rawValue)" }

    static func parse(_ text: String) throws(DKIMSyntaxError) -> DKIMCanonicalizations {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let header = DKIMCanonicalization(rawValue: String(parts[0])) else {
            throw DKIMSyntaxError("unknown canonicalization \"\(DKIMTagList.printable(text.utf8))\"")
        }
        guard parts.count == 2 else { return DKIMCanonicalizations(header: header, body: .simple) }
        guard let body = DKIMCanonicalization(rawValue: String(parts[1])) else {
            throw DKIMSyntaxError("unknown canonicalization \"\(DKIMTagList.printable(text.utf8))\"")
        }
        return DKIMCanonicalizations(header: header, body: body)
    }
}
