/// Counts `Received:` fields in a message's header section (up to the first empty line) as the
/// content streams by, for the mail-loop check of RFC 5321 §6.3. Field names are case-insensitive
/// and may be followed by white space before the colon (RFC 5322 §4.5.3 obsolete syntax). Lines end
/// at LF here (a CR before it is ignored), so a sloppy header still gets counted.
struct ReceivedHeaderCounter: Sendable, Hashable {
    private enum State: Sendable, Hashable {
        case lineStart
        case lineStartCR
        case name(Int)
        case spaceBeforeColon
        case skipLine
        case done
    }

    private static let name = Array("received".utf8)
    private var state: State = .lineStart
    private(set) var count = 0

    var inHeaders: Bool { state != .done }

    /// Scans `bytes`; returns the index of the byte that brought the count above `limit`, if any
    /// (scanning stops there).
    mutating func scan(_ bytes: ArraySlice<UInt8>, limit: Int) -> Int? {
        var i = bytes.startIndex
        while i < bytes.endIndex, state != .done {
            let b = bytes[i]
            switch state {
            case .done:
                return nil
            case .lineStart, .lineStartCR:
                if b == 10 {
                    state = .done  // the empty line ending the header section
                } else if b == 13 && state == .lineStart {
                    state = .lineStartCR
                } else if b | 0x20 == ReceivedHeaderCounter.name[0] && state == .lineStart {
                    state = .name(1)
                } else {
                    state = .skipLine
                }
            case .name(let n):
                if n == ReceivedHeaderCounter.name.count {
                    if b == UInt8(ascii: ":") {
                        if countField(limit) { return i }
                    } else if b == 32 || b == 9 {
                        state = .spaceBeforeColon
                    } else {
                        state = b == 10 ? .lineStart : .skipLine
                    }
                } else if b | 0x20 == ReceivedHeaderCounter.name[n] {
                    state = .name(n + 1)
                } else {
                    state = b == 10 ? .lineStart : .skipLine
                }
            case .spaceBeforeColon:
                if b == UInt8(ascii: ":") {
                    if countField(limit) { return i }
                } else if b != 32 && b != 9 {
                    state = b == 10 ? .lineStart : .skipLine
                }
            case .skipLine:
                if let lf = bytes[i...].firstIndex(of: 10) {
                    i = lf
                    state = .lineStart
                } else {
                    return nil
                }
            }
            i += 1
        }
        return nil
    }

    /// Counts one field; true when that exceeds `limit`.
    private mutating func countField(_ limit: Int) -> Bool {
        count += 1
        state = .skipLine
        return count > limit
    }
}
