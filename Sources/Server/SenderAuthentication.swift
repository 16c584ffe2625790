import Core
import DNS
import Filter
import Foundation
import Logging
import MailAuth
import Policy
import SMTP

/// SPF, DKIM, ARC and DMARC of mail received on port 25 (`MessageAuthenticator`), for SMTP: one
/// `Authentication-Results` field with the results on top of the message, and the action
/// (`MessageAuthentication.action`): DMARC `reject` refuses at the end of data with 550 5.7.1,
/// `quarantine` delivers into Junk, and a temporary DNS failure that could have changed a refusal
/// answers 451 4.7.0 so that the sender tries again. A message that cannot be read is delivered
/// unauthenticated. Each DMARC evaluation of a domain with a record is counted for its aggregate
/// report (RFC 9990), overrides (whitelist, trusted ARC sealers) included.
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
        switch result.action {
        case .reject:
            let domain = result.dmarc.authorDomain ?? "the sender's domain"
            let reply = SMTPReply(550, .init(5, 7, 1), "Message rejected by the DMARC policy of \(domain)")
            return ReceivedMailVerdict(headers: headers, action: .reject(reply))
        case .deferral(let why):
            // RFC 3463 X.7.0: a security matter, temporary; the sender's queue retries.
            logger.notice("sender authentication deferred", metadata: ["reason": "\(why)"])
            let reply = SMTPReply(451, .init(4, 7, 0), "Temporary authentication failure (\(why)), try again later")
            return ReceivedMailVerdict(headers: headers, action: .reject(reply))
        case .junk:
            return ReceivedMailVerdict(headers: headers, action: .junk)
        case .deliver:
            return ReceivedMailVerdict(headers: headers, action: .deliver)
        }
    }

    /// The site's local DMARC policy from `[filter]` (RFC 9989 §5.4): each `dmarc_whitelist` entry
    /// lowers the disposition of failing mail to `none` — a network for mail from a client in it
    /// (`local_policy`), a domain for mail that passed SPF or DKIM for it (`mailing_list`); a passing
    /// chain of a `trusted_arc_sealers` sealer does the same (`trusted_forwarder`).
    static func localPolicy(_ settings: FilterSettings) -> DMARCLocalPolicy {
        let exemptions = settings.dmarcWhitelist.map { entry in
            if let network = NetworkPrefix(parsing: entry) {
                return DMARCExemption(.clientNetwork(network), reason: .localPolicy, comment: "dmarc_whitelist \(entry)")
            }
            return DMARCExemption(.authenticatedDomain(entry), reason: .mailingList, comment: "dmarc_whitelist \(entry)")
        }
        return DMARCLocalPolicy(exemptions: exemptions, trustedARCDisposition: .none)
    }
}
