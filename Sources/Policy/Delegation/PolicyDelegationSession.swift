/// One connection of the delegation protocol without I/O: decodes requests, turns their
/// attributes into `PolicyRequest`s, and encodes replies.
///
/// Postfix keeps one connection per smtpd process and asks at several protocol states;
/// END-OF-MESSAGE requests carry no recipient, so the session remembers the recipients the
/// current transaction (`instance`) was not refused for, and gives them to END-OF-MESSAGE.
public struct PolicyDelegationSession: Sendable {
    /// What the adapter does with a decoded request.
    public enum Item: Sendable, Equatable {
        /// Ask the engine, then call `reply(_:to:)`.
        case evaluate(PolicyRequest)
        /// Send these bytes at once (a request of another kind).
        case answer([UInt8])
    }

    private var decoder: PolicyDelegationDecoder
    private var instance = ""
    private var recipients: [String] = []
    /// More recipients than this per transaction are not remembered.
    static let maxRememberedRecipients = 1000

    public init(decoder: PolicyDelegationDecoder = PolicyDelegationDecoder()) {
        self.decoder = decoder
    }

    /// Bytes from Postfix; throws when a limit is broken (close the connection).
    public mutating func receive(_ bytes: some Sequence<UInt8>) throws(PolicyDelegationDecoder.Failure) -> [Item] {
        try decoder.feed(bytes).map { attributes in
            guard attributes["request"] == "smtpd_access_policy" else { return .answer(PolicyDelegationReply.dunno) }
            return .evaluate(request(from: attributes))
        }
    }

    /// The reply to `request`; remembers an accepted recipient for END-OF-MESSAGE.
    public mutating func reply(_ verdict: PolicyVerdict, to request: PolicyRequest) -> [UInt8] {
        if request.stage == .rcpt, ![.reject, .deferred].contains(verdict.action), !request.recipient.isEmpty,
            recipients.count < Self.maxRememberedRecipients
        {
            if request.instance != instance {
                instance = request.instance
                recipients = []
            }
            recipients.append(request.recipient)
        }
        return PolicyDelegationReply.encode(verdict)
    }

    func request(from attributes: [String: String]) -> PolicyRequest {
        let stage = PolicyStage(protocolState: attributes["protocol_state"] ?? "")
        let instance = attributes["instance"] ?? ""
        return PolicyRequest(
            stage: stage, clientAddress: attributes["client_address"] ?? "",
            clientName: attributes["client_name"] ?? "unknown", helo: attributes["helo_name"] ?? "",
            sender: attributes["sender"] ?? "", recipient: attributes["recipient"] ?? "",
            recipients: stage == .endOfMessage && instance == self.instance && !instance.isEmpty ? recipients : [],
            saslUsername: attributes["sasl_username"] ?? "", size: Int64(attributes["size"] ?? "") ?? 0,
            instance: instance)
    }
}
