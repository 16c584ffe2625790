/// A parsed `DKIM-Signature` header field (RFC 6376 §3.5), with the field it came from (its
/// own `b=` value is left out of the header hash, §3.7). An `ARC-Message-Signature` (RFC 8617
/// §4.1.2) is the same signature with an instance number in `i=` and no `v=`: `kind` says which.
public struct DKIMSignature: Sendable, Hashable {
    /// Which header field carried the signature.
    public enum Kind: Sendable, Hashable {
        /// `DKIM-Signature` (RFC 6376).
        case dkim
        /// `ARC-Message-Signature` (RFC 8617 §4.1.2).
        case arcMessageSignature
    }

    public var kind: Kind
    /// The ARC instance (`i=` of an `ARC-Message-Signature`, 1...50); nil for DKIM.
    public var instance: Int?
    /// `a=`.
    public var algorithm: DKIMAlgorithm
    /// `b=`, decoded.
    public var signature: [UInt8]
    /// `b=` as written, without folding white space (what `header.b` abbreviates).
    public var signatureText: String
    /// `bh=`, decoded.
    public var bodyHash: [UInt8]
    /// `c=`.
    public var canonicalization: DKIMCanonicalizations
    /// `d=`, the Signing Domain Identifier, lower-cased.
    public var domain: String
    /// `h=`, lower-cased, in order; a name may repeat (oversigning, §5.4.2).
    public var signedHeaders: [String]
    /// `i=`, the Agent or User Identifier, as written; nil when absent (then it is `@` + `d=`)
    /// and for an ARC-Message-Signature.
    public var identity: String?
    /// `l=`: how many canonical body octets the body hash covers; nil for the whole body.
    public var bodyLength: Int?
    /// `s=`, lower-cased.
    public var selector: String
    /// `t=`, seconds since 1970.
    public var timestamp: Int64?
    /// `x=`, seconds since 1970.
    public var expiration: Int64?

    /// The header field that carried the signature.
    public var field: DKIMHeaderField
    /// Where the `b=` value lies in `field.raw`, surrounding white space included.
    var signatureValueRange: Range<Int>

    /// The DNS name of the key record (§3.6.2.1).
    public var keyName: String { "\(selector)._domainkey.\(domain)" }

    /// The signature field as it enters the header hash (§3.7): `b=` emptied, canonicalized
    /// like the other fields, and without its final CRLF.
    func canonicalSignatureField() -> [UInt8] {
        field.canonicalWithoutValue(signatureValueRange, canonicalization.header)
    }
}
