/// One question to the policy engine: what is known about the SMTP session at `stage`.
///
/// Empty strings mean "not known yet" (e.g. no HELO at CONNECT). Addresses are as sent, without
/// angle brackets; the null reverse-path is `""`.
public struct PolicyRequest: Sendable, Hashable {
    public var stage: PolicyStage
    public var clientAddress: String
    /// The client's verified host name, or `"unknown"` (informational).
    public var clientName: String
    public var helo: String
    public var sender: String
    /// The recipient of this RCPT; empty at other stages.
    public var recipient: String
    /// Every accepted recipient of the transaction (at END-OF-MESSAGE, and at RCPT the ones before).
    public var recipients: [String]
    public var saslUsername: String
    /// Message size in octets (declared `SIZE=` before the data, actual at END-OF-MESSAGE); 0 when unknown.
    public var size: Int64
    /// Identifies the transaction (Postfix `instance`), so END-OF-MESSAGE can be tied to its recipients.
    public var instance: String

    public init(
        stage: PolicyStage, clientAddress: String, clientName: String = "unknown", helo: String = "", sender: String = "",
        recipient: String = "", recipients: [String] = [], saslUsername: String = "", size: Int64 = 0, instance: String = ""
    ) {
        self.stage = stage
        self.clientAddress = clientAddress
        self.clientName = clientName
        self.helo = helo
        self.sender = sender
        self.recipient = recipient
        self.recipients = recipients
        self.saslUsername = saslUsername
        self.size = size
        self.instance = instance
    }

    /// The recipients policies match against: the current one at RCPT, else all of the transaction.
    public var matchedRecipients: [String] {
        recipient.isEmpty ? recipients : [recipient]
    }
}
