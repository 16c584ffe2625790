import DNS

/// A TLSA record an SMTP client can use (RFC 7672 §3.1): DANE-TA(2) or DANE-EE(3), selector
/// Cert(0) or SPKI(1), matching type Full(0), SHA2-256(1) or SHA2-512(2). PKIX-TA(0) and
/// PKIX-EE(1) are unusable for SMTP (§3.1.3): there is no agreed set of public CAs for MX hosts.
public struct DANERecord: Hashable, Sendable, CustomStringConvertible {
    public enum Usage: UInt8, Sendable {
        /// The record matches a trust anchor that issued the server's chain (RFC 7672 §3.1.2).
        case trustAnchor = 2
        /// The record matches the server's own certificate or key (RFC 7672 §3.1.1).
        case endEntity = 3
    }

    public enum Selector: UInt8, Sendable {
        case certificate = 0
        case subjectPublicKeyInfo = 1
    }

    public enum Matching: UInt8, Sendable {
        case full = 0
        case sha256 = 1
        case sha512 = 2

        /// The data length a digest must have; nil for full content.
        var digestLength: Int? {
            switch self {
            case .full: nil
            case .sha256: 32
            case .sha512: 64
            }
        }
    }

    /// A full certificate or key in a TLSA record is at most this long; anything longer is refused.
    public static let maxFullLength = 16 * 1024

    public let usage: Usage
    public let selector: Selector
    public let matching: Matching
    public let data: [UInt8]

    /// The record, or nil when it is unusable for SMTP: another usage, selector or matching type,
    /// or a digest of the wrong length (RFC 7672 §2.2, RFC 7671 §4).
    public init?(_ tlsa: TLSAData) {
        guard let usage = Usage(rawValue: tlsa.usage), let selector = Selector(rawValue: tlsa.selector),
            let matching = Matching(rawValue: tlsa.matchingType), !tlsa.associationData.isEmpty
        else { return nil }
        if let length = matching.digestLength {
            guard tlsa.associationData.count == length else { return nil }
        } else {
            guard tlsa.associationData.count <= Self.maxFullLength else { return nil }
        }
        self.usage = usage
        self.selector = selector
        self.matching = matching
        self.data = tlsa.associationData
    }

    public var description: String {
        "\(usage.rawValue) \(selector.rawValue) \(matching.rawValue) \(data.count) octets"
    }
}
