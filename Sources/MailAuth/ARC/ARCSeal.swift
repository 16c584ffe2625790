/// A parsed `ARC-Seal` header field (RFC 8617 §4.1.3): the sealer's signature over the ARC Sets
/// up to its own. It has the DKIM tags `a=`, `b=`, `d=`, `s=`, `t=`, plus `i=` and `cv=`; `h=` is
/// forbidden (the fields it covers are fixed) and the header canonicalization is always relaxed.
public struct ARCSeal: Sendable, Hashable {
    /// `i=`.
    public var instance: Int
    /// `a=`, `b=`, `d=` (the sealer's domain), `s=`, read as DKIM reads them.
    var signer: DKIMSignerTags
    /// `a=`.
    public var algorithm: DKIMAlgorithm { signer.algorithm }
    /// `b=`, decoded.
    public var signature: [UInt8] { signer.signature }
    /// `d=`, the sealer's domain, lower-cased.
    public var domain: String { signer.domain }
    /// `s=`, lower-cased.
    public var selector: String { signer.selector }
    /// `t=`, seconds since 1970.
    public var timestamp: Int64?
    /// `cv=`: the chain's state as the sealer found it (§4.1.3, §5.1.1).
    public var chainValidation: ARCChainStatus
    /// The header field that carried the seal.
    public var field: DKIMHeaderField

    /// The DNS name of the key record (RFC 6376 §3.6.2.1, as §4.1.3 refers to it).
    public var keyName: String { "\(selector)._domainkey.\(domain)" }

    /// Parses and validates an `ARC-Seal` field; every problem is a `DKIMSyntaxError`.
    public init(parsing field: DKIMHeaderField) throws(DKIMSyntaxError) {
        let tags = try DKIMTagList(parsing: Array(field.value))
        // §4.1.3: "The ARC-Seal does not use the h= tag"; one that has it is invalid (as dkimpy says).
        guard tags["h"] == nil else { throw DKIMSyntaxError("ARC-Seal has an h= tag") }
        instance = try ARCInstance.parse(try tags.required("i").value)
        signer = try DKIMSignerTags(tags, field: field)
        timestamp = try tags["t"].map { tag throws(DKIMSyntaxError) in try DKIMSignature.number(tag, name: "t") }
        guard let status = ARCChainStatus(rawValue: try tags.required("cv").text.lowercased()) else {
            throw DKIMSyntaxError("cv= is not none, pass or fail")
        }
        chainValidation = status
        self.field = field
    }

    /// The seal field as it enters its own hash (§5.1.1.3: relaxed, `b=` empty, no final CRLF).
    func canonicalSealField() -> [UInt8] { field.canonicalWithoutValue(signer.signatureValueRange, .relaxed) }
}
