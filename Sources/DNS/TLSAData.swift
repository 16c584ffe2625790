/// TLSA RDATA (RFC 6698 §2.1): which certificate of a TLS server's chain, which part of it and
/// in what form the association data holds. The three numbers are kept as sent; what they mean
/// to SMTP (RFC 7672 §3.1: only DANE-TA(2) and DANE-EE(3) are usable) is the client's to decide.
public struct TLSAData: Hashable, Sendable, CustomStringConvertible {
    /// Certificate usage (RFC 6698 §2.1.1, RFC 7218 names): 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
    public var usage: UInt8
    /// Selector (§2.1.2): 0 the whole certificate (Cert), 1 its SubjectPublicKeyInfo (SPKI).
    public var selector: UInt8
    /// Matching type (§2.1.3): 0 the selected content itself (Full), 1 SHA2-256, 2 SHA2-512.
    public var matchingType: UInt8
    /// The certificate association data (§2.1.4).
    public var associationData: [UInt8]

    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, associationData: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.associationData = associationData
    }

    /// Presentation form (RFC 6698 §2.2): three numbers and the data in hex.
    public var description: String {
        let hex = associationData.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }
        return "\(usage) \(selector) \(matchingType) \(hex.joined())"
    }
}
