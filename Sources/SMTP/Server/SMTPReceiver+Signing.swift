import Core
import Foundation
import Logging

extension SMTPReceiver {
    /// This receiver signing what it accepts on submission (DKIM, RFC 6376 §5: the signer is the
    /// author's domain's MSA).
    public func withSigning(_ signer: (any MessageSigner)?) -> SMTPReceiver {
        var copy = self
        copy.signer = signer
        return copy
    }

    /// The signature fields for the spooled message in `path`; nil when unsigned.
    func signatureFields(messageFile path: String, signer: any MessageSigner, logger: Logger) async -> String? {
        guard let message = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }) else {
            logger.error("cannot read the message to sign; sent unsigned", metadata: ["file": "\(path)"])
            return nil
        }
        return await signer.signatureFields(for: message, logger: logger)
    }
}
