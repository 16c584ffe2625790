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
        headerBlock(droppingResultsOf: nil)
    }

    /// The header fields without the `Authentication-Results` fields named after `authservID`:
    /// when sender authentication adds this host's one field (SPF included), the SPF policy
    /// module's field would be a second one of the same host.
    func headerBlock(droppingResultsOf authservID: String?) -> String? {
        let filter = authservID.map(AuthenticationResultsFilter.init)
        let kept = headers.filter { filter?.claims(Array($0.utf8)) != true }
        return kept.isEmpty ? nil : kept.map { $0 + "\r\n" }.joined()
    }
}
