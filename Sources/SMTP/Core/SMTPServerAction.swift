/// What the adapter must do, in order, after feeding the session an input.
public enum SMTPServerAction: Sendable, Hashable {
    /// Send this reply.
    case reply(SMTPReply)
    /// Perform this check and call `resume(_:)` with the result. Until then the session buffers
    /// input and emits nothing; an effect is always the last action of a batch.
    case effect(SMTPEffect)
    /// Message content, in order: dot-unstuffed for DATA, raw for BDAT. Append it to the spool file.
    case messageData([UInt8])
    /// The message being received is to be discarded (RSET between chunks, size or hop limit,
    /// connection closing mid-body). May come before any `.messageData`.
    case messageAborted
    /// The 220 reply to STARTTLS has been queued: flush it, install TLS, then call `tlsEstablished(_:)`.
    /// Input received until then is discarded by the session.
    case startTLS
    /// Close the connection after flushing the replies before it.
    case close
}

/// A check the session cannot make itself.
public enum SMTPEffect: Sendable, Hashable {
    /// MAIL FROM: the envelope so far (no recipients, no body). Answer `.reply`: 2xx starts the
    /// transaction, anything else refuses the sender.
    case checkSender(SMTPEnvelope)
    /// RCPT TO: answer `.reply`: 2xx adds the recipient, anything else refuses it.
    case checkRecipient(SMTPRecipientRequest)
    /// The last `.messageData` of the message has been emitted: spool it. SMTP answers `.reply`;
    /// LMTP answers `.replies`, one per accepted recipient in RCPT order (RFC 2033 §4.2).
    case messageComplete(SMTPEnvelope)
}

/// A recipient to resolve, with the transaction it would join.
public struct SMTPRecipientRequest: Sendable, Hashable {
    public var recipient: SMTPRecipient
    /// The envelope so far (recipients accepted before this one).
    public var envelope: SMTPEnvelope

    public init(recipient: SMTPRecipient, envelope: SMTPEnvelope) {
        self.recipient = recipient
        self.envelope = envelope
    }
}

/// The adapter's answer to an `SMTPEffect`.
///
/// A reply with code 421 closes the connection after it is sent (RFC 5321 §3.8). Codes outside
/// 200…599 are replaced by `451 4.3.0`. For LMTP `.messageComplete`, a single `.reply` applies to
/// every recipient; a `.replies` list that is too short is padded with `451 4.3.0`, extra entries are
/// dropped. For everything else, `.replies` uses its first entry.
public enum SMTPEffectResult: Sendable, Hashable {
    case reply(SMTPReply)
    case replies([SMTPReply])
}
