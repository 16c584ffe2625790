import Logging

/// Signs mail that leaves Posta's hands as its author's MSA: messages submitted by users and
/// messages Posta writes itself (DSNs, reports). The receiving and queueing modules do not know
/// how; Server supplies a DKIM signer backed by the key store (RFC 6376 §5).
public protocol MessageSigner: Sendable {
    /// The header fields (each ending in CRLF) to put on top of `message` (CRLF line ends), or
    /// nil to send it unsigned: no key for the author's domain, or a failure, which the signer
    /// logs; signing never stops mail.
    func signatureFields(for message: [UInt8], logger: Logger) async -> String?

    /// The same, signed as `domain` (`d=`) whatever the From field says: a mailing list signs
    /// the copies it sends with its own domain (RFC 6376 §5; the author's signature broke).
    func signatureFields(for message: [UInt8], domain: String, logger: Logger) async -> String?
}
