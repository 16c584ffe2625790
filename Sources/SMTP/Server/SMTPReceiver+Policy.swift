import Core

/// A policy engine as the SMTP server sees it (met by the Policy module through Server, so SMTP
/// does not depend on it).
public protocol SMTPPolicy: Sendable {
    /// RCPT, for a recipient relay control and the directory accepted.
    func recipient(_ request: SMTPRecipientRequest) async -> SMTPPolicyOutcome
    /// End of data, for the message of `size` octets.
    func endOfData(envelope: SMTPEnvelope, size: Int64) async -> SMTPPolicyOutcome
}

/// The policy's word on a recipient or a complete message.
public enum SMTPPolicyOutcome: Sendable, Equatable {
    /// Go on, with these decisions for the message as a whole (hold, discard, header fields).
    case accept(SMTPMessagePolicy)
    /// Answer this instead (the recipient is refused, or the message is not queued).
    case refuse(SMTPReply)
}

/// The policy engine inline (port 25 and submission; not LMTP, whose client is a trusted MTA).
///
/// Like Postfix with `smtpd_delay_reject = yes`, connect and HELO policies are applied at RCPT,
/// where the whole envelope is known: one request per recipient that relay control and the
/// directory accepted, then one at the end of the data, where quotas and accounting count. What
/// the RCPT requests decided for the message (HOLD, DISCARD, SPF header fields) is kept by the
/// session (`SMTPServerSession`, handed over in `SMTPMessage.policy`) and applied at the end of the
/// data together with that request's decision.
extension SMTPReceiver {
    /// The policy's word on an otherwise accepted recipient.
    public func policyOutcome(for request: SMTPRecipientRequest) async -> SMTPPolicyOutcome {
        guard let policy, mode != .lmtp else { return .accept(SMTPMessagePolicy()) }
        return await policy.recipient(request)
    }

    /// The answer at the end of the data when policy refuses or discards the message; nil to queue
    /// it, with `decided` (from RCPT) completed by the end-of-data decision.
    func policyAnswer(
        envelope: SMTPEnvelope, spool: (id: String, file: DurableFile), decided: inout SMTPMessagePolicy
    ) async -> SMTPEffectResult? {
        guard let policy, mode != .lmtp else { return nil }
        switch await policy.endOfData(envelope: envelope, size: spool.file.bytesWritten) {
        case .accept(let atEnd):
            decided.merge(atEnd)
            guard decided.discard else { return nil }
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
