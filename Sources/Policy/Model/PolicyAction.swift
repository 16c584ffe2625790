/// What a policy decides for a request, named as in Postfix access(5) and Cluebringer.
public enum PolicyAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// No opinion: later policies and the server's own checks decide.
    case dunno = "DUNNO"
    /// Accept: stop evaluating further policies.
    case ok = "OK"
    /// Refuse permanently (5xx).
    case reject = "REJECT"
    /// Refuse for now (4xx); the client retries.
    case deferred = "DEFER"
    /// Accept and keep the message in the queue until released.
    case hold = "HOLD"
    /// Accept and drop the message.
    case discard = "DISCARD"

    /// Parses a configured action, case-insensitively (`DEFER_IF_PERMIT` is not supported).
    public init?(configured text: String) {
        self.init(rawValue: text.uppercased())
    }

    /// Whether this action ends evaluation (everything but `DUNNO`).
    public var isFinal: Bool { self != .dunno }
}
