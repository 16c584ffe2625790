/// What policy decided for a message as a whole, gathered over its transaction: every accepted
/// RCPT, then the end of the data. A HOLD or DISCARD for one recipient concerns the whole message
/// (as with Postfix), and header fields are added once per message however many recipients
/// produced them.
public struct SMTPMessagePolicy: Sendable, Equatable {
    /// Queue the message held, until `posta queue release`.
    public var hold: Bool
    /// Answer 250 and deliver nothing.
    public var discard: Bool
    /// Header fields to prepend (`Name: value`, folded with CRLF + space), each once, in order.
    public private(set) var headers: [String] = []

    public init(hold: Bool = false, discard: Bool = false, headers: [String] = []) {
        self.hold = hold
        self.discard = discard
        add(headers)
    }

    /// Adds `other`'s decisions to these.
    public mutating func merge(_ other: SMTPMessagePolicy) {
        hold = hold || other.hold
        discard = discard || other.discard
        add(other.headers)
    }

    private mutating func add(_ fields: [String]) {
        for field in fields where !headers.contains(field) {
            headers.append(field)
        }
    }

    /// The header fields as the queue keeps them (each ended by CRLF), nil for none.
    var headerBlock: String? {
        headers.isEmpty ? nil : headers.map { $0 + "\r\n" }.joined()
    }
}
