/// Cuts a TCP byte stream into LDAP PDUs (RFC 4511 §4.1.1, §5.1): each is a SEQUENCE (0x30)
/// with a definite length. Sans-I/O: feed bytes with `append`, take PDUs with `next` until it
/// returns nil.
///
/// A length over `maximumMessageSize` is refused as soon as its length field is read, before
/// any of the content is buffered. After an error the stream cannot be resynchronised: every
/// later `next` throws the same error, and the connection should be closed.
public struct LDAPFrameDecoder: Sendable {
    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    /// Start of the unread bytes; consumed bytes are dropped in bulk (amortised O(1) per byte).
    private var start = 0
    private var failure: LDAPCodecError?

    public init(maximumMessageSize: Int = 16 << 20) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// The number of bytes received and not yet returned in a PDU.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete PDU (tag, length and content), or nil when more bytes are needed.
    public mutating func next() throws(LDAPCodecError) -> [UInt8]? {
        if let failure { throw failure }
        do {
            return try cut()
        } catch {
            failure = error
            buffer = []
            start = 0
            throw error
        }
    }

    private mutating func cut() throws(LDAPCodecError) -> [UInt8]? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let tag = buffer[start]
        guard tag == 0x30 else { throw .notAMessage(tag: tag) }
        let first = buffer[start + 1]
        var headerLength = 2
        var length = Int(first)
        if first & 0x80 != 0 {
            let fieldLength = Int(first & 0x7f)
            guard fieldLength != 0 else { throw .indefiniteLength }
            guard fieldLength <= 4 else { throw .lengthFieldTooLong(fieldLength) }
            guard available >= 2 + fieldLength else { return nil }
            length = 0
            for offset in 0..<fieldLength { length = length << 8 | Int(buffer[start + 2 + offset]) }
            headerLength += fieldLength
        }
        guard length <= maximumMessageSize else { throw .messageTooLarge(declared: length, maximum: maximumMessageSize) }
        guard available >= headerLength + length else { return nil }
        let end = start + headerLength + length
        let pdu = Array(buffer[start..<end])
        start = end
        compact()
        return pdu
    }

    /// Drops consumed bytes once they are at least half the buffer, so each byte is moved a
    /// bounded number of times however many small PDUs arrive.
    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
