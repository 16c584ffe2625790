import Core
import Logging
import MailAuth

/// Signs mail with the active DKIM keys (`posta dkim keygen`) of the domain in its From field
/// (RFC 6376 §5; the author's domain, so that DMARC finds the signature aligned, RFC 9989): one
/// signature per active key (RSA and, when there is one, Ed25519, RFC 8463 §3). Used for
/// submitted mail and for mail Posta writes (DSNs from MAILER-DAEMON@<hostname>, DMARC reports).
/// No key, no signature; a failure is logged and the message goes unsigned rather than refused.
struct DKIMMessageSigner: MessageSigner {
    let keys: DKIMKeyStore

    func signatureFields(for message: [UInt8], logger: Logger) async -> String? {
        // RFC 5322 §3.6: one From field (checked on submission); with several authors, the first one's domain.
        guard let domain = MessageAuthenticator.fromDomains(message).first?.lowercased() else { return nil }
        return await signatureFields(for: message, domain: domain, logger: logger)
    }

    func signatureFields(for message: [UInt8], domain: String, logger: Logger) async -> String? {
        let domain = domain.lowercased()
        do {
            var fields = ""
            let now = UnixTime.now()
            for key in try await keys.signingKeys(domain: domain) {
                fields += try key.signer().sign(message: message, time: now)
            }
            return fields.isEmpty ? nil : fields
        } catch {
            logger.error("DKIM: signing failed, sent unsigned", metadata: ["domain": "\(domain)", "error": "\(error)"])
            return nil
        }
    }
}
