import Queue

/// What the adapter found for an accepted recipient (RCPT), kept by the session until the end of
/// the data: where the message goes for it, and what policy decided for the message.
public struct SMTPRecipientRoute: Sendable, Equatable {
    /// The deliveries the recipient expands to (aliases, subaddress, catch-all).
    public var deliveries: [QueuedDelivery]
    public var policy: SMTPMessagePolicy

    public init(deliveries: [QueuedDelivery] = [], policy: SMTPMessagePolicy = SMTPMessagePolicy()) {
        self.deliveries = deliveries
        self.policy = policy
    }
}

/// A complete transaction, as the end-of-data effect receives it.
public struct SMTPMessage: Sendable, Equatable {
    public var envelope: SMTPEnvelope
    /// Per envelope recipient (RCPT order), its deliveries.
    public var deliveries: [[QueuedDelivery]]
    /// What policy decided at RCPT for the message as a whole.
    public var policy: SMTPMessagePolicy
    /// The spooled content; nil when it could not be opened or there is none.
    public var spool: SMTPSpool?

    public init(
        envelope: SMTPEnvelope, deliveries: [[QueuedDelivery]] = [], policy: SMTPMessagePolicy = SMTPMessagePolicy(),
        spool: SMTPSpool? = nil
    ) {
        self.envelope = envelope
        self.deliveries = deliveries
        self.policy = policy
        self.spool = spool
    }
}
