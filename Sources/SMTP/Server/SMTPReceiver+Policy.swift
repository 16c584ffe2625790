import Core

/// A policy engine as the SMTP server sees it (met by the Policy module through Server, so SMTP
/// does not depend on it).
public protocol SMTPPolicy: Sendable {
    /// RCPT, for a recipient relay control and the directory accepted: a refusal, or nil.
    func refusal(recipient: SMTPRecipientRequest) async -> SMTPReply?
    /// End of data: what to do with the message of `size` octets.
    func endOfData(envelope: SMTPEnvelope, size: Int64) async -> SMTPPolicyOutcome
}

/// The policy's word on a complete message.
public enum SMTPPolicyOutcome: Sendable, Equatable {
    case accept
    /// Answer this instead of queueing.
    case refuse(SMTPReply)
    /// Answer 250 and drop the message.
    case discard
}

/// The policy engine inline (port 25 and submission; not LMTP, whose client is a trusted MTA).
///
/// Like Postfix with `smtpd_delay_reject = yes`, connect and HELO policies are applied at RCPT,
/// where the whole envelope is known: one request per recipient that relay control and the
/// directory accepted, then one at the end of the data, where quotas and accounting count and
/// DISCARD applies. HOLD is not yet honoured inline (the message is queued normally).
extension SMTPReceiver {
    /// A refusal for an otherwise accepted recipient, or nil.
    public func policyRefusal(for request: SMTPRecipientRequest) async -> SMTPReply? {
        guard let policy, mode != .lmtp else { return nil }
        return await policy.refusal(recipient: request)
    }

    /// The answer at the end of the data when policy refuses or discards the message; nil to queue it.
    func policyAnswer(envelope: SMTPEnvelope, spool: (id: String, file: DurableFile)) async -> SMTPEffectResult? {
        guard let policy, mode != .lmtp else { return nil }
        switch await policy.endOfData(envelope: envelope, size: spool.file.bytesWritten) {
        case .accept:
            return nil
        case .discard:
            spool.file.discard()
            logger.info("message discarded by policy", metadata: ["queue_id": "\(spool.id)"])
            return .reply(SMTPReply(250, .init(2, 0, 0), "Ok: queued as \(spool.id)"))
        case .refuse(let reply):
            spool.file.discard()
            return .reply(reply)
        }
    }

    /// This receiver consulting `policy`.
    public func withPolicy(_ policy: (any SMTPPolicy)?) -> SMTPReceiver {
        var copy = self
        copy.policy = policy
        return copy
    }
}
