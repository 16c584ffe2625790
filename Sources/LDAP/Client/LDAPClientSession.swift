/// The client's half of the LDAP message exchange, without I/O (RFC 4511 §4.1.1, §4.5.2).
///
/// `start` numbers a request and encodes it; `receive` takes each decoded message from the
/// server and returns a completed response once its final message has arrived. Several requests
/// may be outstanding on one connection; answers are matched by message ID.
public struct LDAPClientSession: Sendable {
    /// Bounds on what one search may return, so a hostile or misconfigured server cannot make
    /// the client buffer without end.
    public struct Limits: Sendable {
        public var maximumEntries: Int
        public var maximumReferences: Int

        public init(maximumEntries: Int = 10_000, maximumReferences: Int = 100) {
            self.maximumEntries = maximumEntries
            self.maximumReferences = maximumReferences
        }
    }

    /// What a received message completed.
    public enum Event: Sendable {
        /// The final answer to request `id`.
        case completed(id: Int32, LDAPResponse)
        /// The server is closing the connection (Notice of Disconnection, RFC 4511 §4.4.1).
        case disconnection(LDAPResult)
    }

    private enum Expected: Sendable {
        case bind, search, compare, extended
    }

    private struct Pending: Sendable {
        var expected: Expected
        var response = LDAPResponse(result: LDAPResult(code: .success, matchedDN: "", diagnosticMessage: "", referral: []))
    }

    public let limits: Limits
    private var nextID: Int32 = 1
    private var pending: [Int32: Pending] = [:]

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The message IDs still waiting for their answer.
    public var outstanding: [Int32] { Array(pending.keys) }

    /// Numbers and encodes `op`; expects an answer unless it is an unbind or abandon (§4.3, §4.11).
    public mutating func start(_ op: LDAPProtocolOp, controls: [LDAPControl] = []) throws -> (id: Int32, bytes: [UInt8]) {
        let id = nextID
        // §4.1.1: message IDs are non-zero and below 2^31; zero is for unsolicited notifications.
        nextID = nextID == Int32.max ? 1 : nextID + 1
        let bytes = try LDAPMessage(messageID: id, op: op, controls: controls).serialized()
        let expected: Expected? =
            switch op {
            case .bindRequest: .bind
            case .searchRequest: .search
            case .compareRequest: .compare
            case .extendedRequest: .extended
            default: nil
            }
        if let expected { pending[id] = Pending(expected: expected) }
        return (id, bytes)
    }

    /// Forgets request `id` (abandoned or timed out): late answers to it are ignored.
    public mutating func forget(_ id: Int32) {
        pending[id] = nil
    }

    /// Takes one message from the server.
    public mutating func receive(_ message: LDAPMessage) throws(LDAPClientError) -> Event? {
        if message.messageID == 0 {
            // §4.4: unsolicited notifications; the only one defined is the Notice of Disconnection.
            if case .extendedResponse(let result, _, _) = message.op { return .disconnection(result) }
            throw .protocolError("unexpected message with ID 0")
        }
        // An answer to an abandoned or timed-out request.
        guard var entry = pending[message.messageID] else { return nil }
        switch (entry.expected, message.op) {
        case (.search, .searchResultEntry(let found)):
            guard entry.response.entries.count < limits.maximumEntries else {
                pending[message.messageID] = nil
                throw .tooManyResults(limits.maximumEntries)
            }
            entry.response.entries.append(found)
            pending[message.messageID] = entry
            return nil
        case (.search, .searchResultReference(let uris)):
            guard entry.response.references.count < limits.maximumReferences else {
                pending[message.messageID] = nil
                throw .tooManyResults(limits.maximumReferences)
            }
            entry.response.references.append(uris)
            pending[message.messageID] = entry
            return nil
        case (_, .intermediateResponse):
            // §4.13: not used by any operation this client sends.
            return nil
        case (.search, .searchResultDone(let result)), (.bind, .bindResponse(let result)),
            (.compare, .compareResponse(let result)):
            entry.response.result = result
        case (.extended, .extendedResponse(let result, let name, let value)):
            entry.response.result = result
            entry.response.extendedName = name
            entry.response.extendedValue = value
        default:
            throw .protocolError("an answer of the wrong kind to message \(message.messageID)")
        }
        entry.response.controls = message.controls
        pending[message.messageID] = nil
        return .completed(id: message.messageID, entry.response)
    }
}
