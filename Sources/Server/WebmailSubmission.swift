import Core
import Directory
import Logging
import SMTP
import Webmail

/// Webmail's sending: the submission receiver of port 587, run in process (`SMTPReceiver.submitLocally`),
/// so a message from the browser passes the same sender ownership check, policy, content filter,
/// DKIM signing and compromised-account containment as one from a mail program.
struct WebmailSubmission: WebmailSending {
    let receiver: SMTPReceiver
    let limits: Limits
    let logger: Logger

    var maxMessageBytes: Int { Int(clamping: SMTPReceiver.localSubmissionSizeLimit(limits)) }

    func send(_ message: OutgoingMessage, account: Account, clientIP: String) async -> SendOutcome {
        let result = await receiver.submitLocally(
            LocalSubmission(
                user: account.address, clientIP: clientIP, reversePath: message.reversePath, recipients: message.recipients,
                message: message.bytes),
            limits: limits, logger: logger)
        switch result {
        case .accepted(let queueID): return .accepted(queueID: queueID)
        case .refused(let reply, let recipient):
            let text = reply.lines.joined(separator: " ")
            return .refused(recipient.map { "\($0): \(text)" } ?? text)
        }
    }
}

extension PostaServer {
    /// The webmail's sender over this server's submission receiver.
    func webmailSender() -> (any WebmailSending)? {
        guard let service = services[.submission] as? SMTPProtocolService else { return nil }
        return WebmailSubmission(receiver: service.receiver, limits: service.limits, logger: logger)
    }
}
