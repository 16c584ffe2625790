/// What the adapter must do, in order, after feeding the session an input.
public enum SMTPServerAction: Sendable, Equatable {
    /// Send this reply.
    case reply(SMTPReply)
    /// Perform this check and call `resume(_:)` with the result. Until then the session buffers
    /// input and emits nothing; an effect is always the last action of a batch.
    case effect(SMTPEffect)
    /// Message content, in order: dot-unstuffed for DATA, raw for BDAT. Append it to the spool file
    /// the session holds (`spool`; opened by `.openSpool` before the first piece).
    case messageData([UInt8])
    /// The message being received is to be discarded (RSET between chunks, size or hop limit,
    /// connection closing mid-body). May come before any `.messageData`.
    case messageAborted
    /// The transaction is over without its message: delete this spool file.
    case discardSpool(SMTPSpool)
    /// The 220 reply to STARTTLS has been queued: flush it, install TLS, then call `tlsEstablished(_:)`.
    /// Input received until then is discarded by the session.
    case startTLS
    /// Close the connection after flushing the replies before it.
    case close
}

/// A check the session cannot make itself.
public enum SMTPEffect: Sendable, Equatable {
    /// MAIL FROM: the envelope so far (no recipients, no body). Answer `.reply`: 2xx starts the
    /// transaction, anything else refuses the sender.
    case checkSender(SMTPEnvelope)
    /// RCPT TO: answer `.recipientAccepted` (or a 2xx `.reply`, with no deliveries) to add the
    /// recipient, anything else refuses it.
    case checkRecipient(SMTPRecipientRequest)
    /// The first content of the message is in: open a spool file and write the `Received:` field
    /// for `SMTPTrace` first. Answer `.spoolOpened` at once (nil when it cannot be opened: the
    /// content is still read, and the end of data gets a temporary failure).
    case openSpool(SMTPTrace)
    /// The last `.messageData` of the message has been emitted: make it durable and queue it (no
    /// 2xx before the file and its directory are on stable storage). SMTP answers `.reply`;
    /// LMTP answers `.replies`, one per accepted recipient in RCPT order (RFC 2033 §4.2).
    case messageComplete(SMTPMessage)
    /// AUTH (RFC 4954 §4): the client's credentials are complete. Answer `.authenticated(user:)` to
    /// accept (the session replies `235 2.7.0`), or `.reply` with the failure to send — typically
    /// `535 5.7.8` or `454 4.7.0`, after any delay the adapter wants (RFC 4954 §6). A `.reply`
    /// never authenticates: a 2xx one is replaced by `454 4.7.0`.
    case authenticate(SMTPAuthRequest)
}

/// Credentials gathered by a SASL exchange (RFC 4954 §4) for the adapter to verify.
///
/// `description` leaves the password out, so logging a request does not leak it.
public struct SMTPAuthRequest: Sendable, Hashable, CustomStringConvertible {
    /// `"PLAIN"` (RFC 4616) or `"LOGIN"`.
    public var mechanism: String
    /// The authentication identity (the user name the password belongs to).
    public var authcid: String
    public var password: String
    /// The authorization identity, if the client sent one. The session refuses (`535 5.7.8`) a PLAIN
    /// authzid that differs from the authcid, so when present it equals `authcid`.
    public var authzid: String?

    public init(mechanism: String, authcid: String, password: String, authzid: String? = nil) {
        self.mechanism = mechanism
        self.authcid = authcid
        self.password = password
        self.authzid = authzid
    }

    public var description: String {
        "SMTPAuthRequest(mechanism: \(mechanism), authcid: \(authcid), authzid: \(authzid ?? "-"), password: <redacted>)"
    }
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
public enum SMTPEffectResult: Sendable, Equatable {
    case reply(SMTPReply)
    case replies([SMTPReply])
    /// The answer to `.checkRecipient` that accepts it (a 2xx reply), with where the message goes
    /// for it and what policy decided; a non-2xx reply refuses the recipient.
    case recipientAccepted(SMTPReply, SMTPRecipientRoute)
    /// The answer to `.openSpool`.
    case spoolOpened(SMTPSpool?)
    /// The answer to `.authenticate` that accepts the credentials: the client is now `user` (the
    /// canonical name, e.g. as the directory spells it). Given to any other effect it counts as a
    /// `451 4.3.0`.
    case authenticated(user: String)
}
