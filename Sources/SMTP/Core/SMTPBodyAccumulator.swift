/// The message content as it arrives (from DATA or BDAT): enforces the size and hop limits and hands
/// the bytes out in `.messageData` pieces whose boundaries depend only on the content.
struct SMTPBodyAccumulator: Sendable, Hashable {
    enum Failure: Sendable, Hashable {
        /// More than `maxMessageSize` octets: `552 5.3.4` (RFC 1870 §6.3, RFC 3463 §3.4).
        case tooBig
        /// More `Received:` fields than allowed: `554 5.4.6` (RFC 5321 §6.3, RFC 3463 §3.5).
        case tooManyHops

        /// The reply that ends the transaction.
        var reply: SMTPReply {
            switch self {
            case .tooBig: SMTPServerReplies.messageTooBig
            case .tooManyHops: SMTPServerReplies.tooManyHops
            }
        }
    }

    let maxSize: Int64
    let maxReceived: Int
    let chunkSize: Int
    private(set) var size: Int64 = 0
    private(set) var failure: Failure?
    private var headers = ReceivedHeaderCounter()
    private var pending: [UInt8] = []

    init(maxSize: Int64, maxReceived: Int, chunkSize: Int) {
        self.maxSize = maxSize
        self.maxReceived = maxReceived
        self.chunkSize = chunkSize
    }

    var receivedHeaderCount: Int { headers.count }

    /// Adds content. On the first limit breach, drops what is pending and emits `.messageAborted`;
    /// content after that is ignored. The breach is located at its exact byte, so the actions are
    /// the same however the content was split.
    mutating func append(_ data: ArraySlice<UInt8>, into actions: inout [SMTPServerAction]) {
        guard failure == nil, !data.isEmpty else { return }
        let allowed = maxSize - size
        let usable = Int64(data.count) > allowed ? data.prefix(Int(max(0, allowed))) : data
        if headers.inHeaders, let breach = headers.scan(usable, limit: maxReceived) {
            add(usable[...breach], into: &actions)
            fail(.tooManyHops, into: &actions)
            return
        }
        add(usable, into: &actions)
        if usable.count < data.count { fail(.tooBig, into: &actions) }
    }

    /// Emits whatever is pending (end of the message or of a BDAT chunk).
    mutating func flush(into actions: inout [SMTPServerAction]) {
        guard failure == nil, !pending.isEmpty else { return }
        actions.append(.messageData(pending))
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func add(_ data: ArraySlice<UInt8>, into actions: inout [SMTPServerAction]) {
        var rest = data
        while !rest.isEmpty {
            let n = min(chunkSize - pending.count, rest.count)
            pending.append(contentsOf: rest.prefix(n))
            rest = rest.dropFirst(n)
            size += Int64(n)
            if pending.count == chunkSize {
                actions.append(.messageData(pending))
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    private mutating func fail(_ reason: Failure, into actions: inout [SMTPServerAction]) {
        failure = reason
        pending = []
        actions.append(.messageAborted)
    }
}
