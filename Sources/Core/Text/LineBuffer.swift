/// Bytes received and not yet consumed, with bounded command-line framing in linear time: each
/// byte is scanned for LF once, consumed lines are skipped by an index (storage is compacted only
/// once more than half of it is consumed), and a line over the limit is never held.
/// Shared by the line protocols (SMTP, POP3).
public struct LineBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var start = 0
    /// Bytes from `start` up to here are known to hold no LF.
    private var scanned = 0
    /// The current line was too long and has been reported; drop bytes up to its LF.
    private var discardingLine = false

    public init() {}

    public enum LineResult: Equatable {
        case line([UInt8])
        case tooLong
        case needMore
    }

    public var count: Int { bytes.count - start }
    public var isEmpty: Bool { start == bytes.count }
    public var unread: ArraySlice<UInt8> { bytes[start...] }

    public mutating func append(_ new: [UInt8]) {
        bytes.append(contentsOf: new)
    }

    public mutating func consume(_ n: Int) {
        precondition(n <= count)
        start += n
        scanned = max(scanned, start)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 16)
        start = 0
        scanned = 0
        discardingLine = false
    }

    /// The next line without its LF (and without the CR before it). A bare LF ends a line too —
    /// lenient, as most servers are in command mode; DATA content is never framed here.
    ///
    /// A line whose length including its line end exceeds `maxLength` gives `.tooLong` exactly once,
    /// and its bytes are dropped up to the LF: never more than `maxLength` bytes of a line are held.
    public mutating func nextLine(maxLength: Int) -> LineResult {
        while true {
            if let lf = bytes[scanned...].firstIndex(of: 10) {
                let lineStart = start
                start = lf + 1
                scanned = start
                if discardingLine {
                    discardingLine = false
                    continue
                }
                if lf + 1 - lineStart > maxLength { return .tooLong }
                var end = lf
                if end > lineStart && bytes[end - 1] == 13 { end -= 1 }
                return .line(Array(bytes[lineStart..<end]))
            }
            if discardingLine {
                start = bytes.count
                scanned = start
                return .needMore
            }
            if bytes.count - start >= maxLength {
                // Even a bare LF next would make the line longer than allowed.
                start = bytes.count
                scanned = start
                discardingLine = true
                return .tooLong
            }
            scanned = bytes.count
            return .needMore
        }
    }

    /// Drops consumed bytes from storage (call after a batch of work).
    public mutating func compact() {
        if start == bytes.count {
            if start > 0 { removeAllKeepingState() }
        } else if start > 4096 && start * 2 > bytes.count {
            bytes.removeFirst(start)
            scanned -= start
            start = 0
        }
    }

    private mutating func removeAllKeepingState() {
        bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 16)
        start = 0
        scanned = 0
    }
}
