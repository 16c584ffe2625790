/// The verifier's local choices and bounds. Every bound turns hostile input into a
/// `permerror` or `neutral` after a fixed amount of work.
public struct DKIMVerifierConfiguration: Sendable, Hashable {
    /// RSA keys below this size give `permerror` (RFC 8301 §3.2: verifiers must accept 1024 to
    /// 4096 bits). swift-crypto reads no key under 1024 bits, so lower values act as 1024.
    public var minimumRSABits: Int
    /// RSA keys above this size give `permerror` (bounds the work of one verification).
    public var maximumRSABits: Int
    /// Signatures checked per message; the others are reported `neutral`, "not checked".
    public var maxSignatures: Int
    /// Names in one `h=` tag; more give `permerror`.
    public var maxSignedHeaders: Int
    /// Octets of one `DKIM-Signature` field; a larger one gives `permerror` unread.
    public var maxSignatureFieldBytes: Int
    /// Octets of one key record; a larger one is not parsed.
    public var maxKeyRecordBytes: Int
    /// Whether a signature whose `l=` leaves part of the body unsigned may pass; when false (the
    /// default) it is reported `policy` (RFC 6376 §8.2: content may have been appended).
    public var acceptPartialBody: Bool

    public init(
        minimumRSABits: Int = 1024, maximumRSABits: Int = 8192, maxSignatures: Int = 10, maxSignedHeaders: Int = 64,
        maxSignatureFieldBytes: Int = 8192, maxKeyRecordBytes: Int = 8192, acceptPartialBody: Bool = false
    ) {
        self.minimumRSABits = minimumRSABits
        self.maximumRSABits = maximumRSABits
        self.maxSignatures = maxSignatures
        self.maxSignedHeaders = maxSignedHeaders
        self.maxSignatureFieldBytes = maxSignatureFieldBytes
        self.maxKeyRecordBytes = maxKeyRecordBytes
        self.acceptPartialBody = acceptPartialBody
    }
}
