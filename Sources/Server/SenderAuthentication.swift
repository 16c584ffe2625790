import Core
import DNS
import Foundation
import Logging
import MailAuth
import Policy
import SMTP

/// SPF, DKIM and DMARC of mail received on port 25 (`MessageAuthenticator`), for SMTP: one
/// `Authentication-Results` field with the three results on top of the message, and the DMARC
/// disposition (RFC 9989 §5.3.4): `reject` refuses at the end of data with 550 5.7.1, `quarantine`
/// delivers into Junk. A message that cannot be read is delivered unauthenticated. Each DMARC
/// evaluation of a domain with a record is counted for its aggregate report (RFC 9990).
struct SenderAuthentication: ReceivedMailAuthenticator {
    let authenticator: MessageAuthenticator
    let evaluations: DMARCEvaluationStore
    /// `authserv-id` (RFC 8601 §2.5): this host's name.
    let hostname: String

    func authenticate(envelope: SMTPEnvelope, messageFile path: String, logger: Logger) async -> ReceivedMailVerdict {
        guard let message = FileManager.default.contents(atPath: path).map({ [UInt8]($0) }),
            let clientIP = IPAddress(envelope.clientIP)
        else {
            logger.error("sender authentication: cannot read the message", metadata: ["file": "\(path)"])
            return ReceivedMailVerdict(headers: "", action: .deliver)
        }
        let now = UnixTime.now()
        let result = await authenticator.authenticate(
            clientIP: clientIP, helo: envelope.heloName, reversePath: envelope.reversePath?.description ?? "",
            message: message, now: now)
        do {
            _ = try await evaluations.record(
                result.dmarc, message: result.dmarcMessage, sourceIP: envelope.clientIP,
                envelopeFrom: envelope.reversePath?.domain, envelopeTo: envelope.recipients.first?.address.domain, at: now)
        } catch {
            logger.error("DMARC: cannot record the evaluation", metadata: ["error": "\(String(reflecting: error))"])
        }
        let headers = result.authenticationResultsField(authservID: hostname)
        switch result.dmarc.disposition {
        case .reject:
            let domain = result.dmarc.authorDomain ?? "the sender's domain"
            let reply = SMTPReply(550, .init(5, 7, 1), "Message rejected by the DMARC policy of \(domain)")
            return ReceivedMailVerdict(headers: headers, action: .reject(reply))
        case .quarantine:
            return ReceivedMailVerdict(headers: headers, action: .junk)
        case .none:
            return ReceivedMailVerdict(headers: headers, action: .deliver)
        }
    }
}
