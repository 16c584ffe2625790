import Logging

/// Signs mail accepted on submission (DKIM, RFC 6376 §5: the signer is the author's domain's MSA).
/// SMTP does not know how: Server supplies one backed by the DKIM key store, as it does the policy
/// engine (`SMTPPolicy`).
public protocol SubmissionSigner: Sendable {
    /// The header fields (each ending in CRLF) to put on top of the message in `path`, or nil to
    /// send it unsigned (no key for the author's domain; a failure is logged, never refuses mail).
    func signatureFields(messageFile path: String, logger: Logger) async -> String?
}

extension SMTPReceiver {
    /// This receiver signing what it accepts (submission only).
    public func withSigning(_ signer: (any SubmissionSigner)?) -> SMTPReceiver {
        var copy = self
        copy.signer = signer
        return copy
    }
}
