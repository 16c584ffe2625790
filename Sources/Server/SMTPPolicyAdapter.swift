import Policy
import SMTP

/// The policy engine behind the SMTP server's `SMTPPolicy` hooks: SMTP envelopes become policy
/// requests, verdicts become replies as Postfix would send them.
struct SMTPPolicyAdapter: SMTPPolicy {
    let engine: PolicyEngine

    func recipient(_ recipient: SMTPRecipientRequest) async -> SMTPPolicyOutcome {
        var request = Self.request(.rcpt, recipient.envelope)
        request.recipient = recipient.recipient.address.description
        request.size = recipient.envelope.declaredSize ?? 0
        return Self.outcome(await engine.evaluate(request), endOfData: false)
    }

    func endOfData(envelope: SMTPEnvelope, size: Int64) async -> SMTPPolicyOutcome {
        var request = Self.request(.endOfMessage, envelope)
        request.size = size
        return Self.outcome(await engine.evaluate(request), endOfData: true)
    }

    /// A refusal, else HOLD, DISCARD and the header fields for the message.
    static func outcome(_ verdict: PolicyVerdict, endOfData: Bool) -> SMTPPolicyOutcome {
        if let refusal = reply(verdict, endOfData: endOfData) { return .refuse(refusal) }
        return .accept(
            SMTPMessagePolicy(hold: verdict.action == .hold, discard: verdict.action == .discard, headers: verdict.headers))
    }

    static func request(_ stage: PolicyStage, _ envelope: SMTPEnvelope) -> PolicyRequest {
        PolicyRequest(
            stage: stage, clientAddress: envelope.clientIP, helo: envelope.heloName,
            sender: envelope.reversePath?.description ?? "", recipients: envelope.recipients.map(\.address.description),
            saslUsername: envelope.authenticatedUser ?? "")
    }

    /// REJECT → 550 5.7.1 for a recipient, 554 5.7.1 after the data; DEFER → 450 4.7.1, 451 4.7.1.
    static func reply(_ verdict: PolicyVerdict, endOfData: Bool) -> SMTPReply? {
        switch verdict.action {
        case .reject: SMTPReply(endOfData ? 554 : 550, .init(5, 7, 1), verdict.text.isEmpty ? "Access denied" : verdict.text)
        case .deferred: SMTPReply(endOfData ? 451 : 450, .init(4, 7, 1), verdict.text.isEmpty ? "Try again later" : verdict.text)
        default: nil
        }
    }
}
