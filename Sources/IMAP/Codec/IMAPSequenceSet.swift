/// One end of a sequence range: a number or `*`, the largest number in use (RFC 3501 §9 `seq-number`).
public enum IMAPSequenceNumber: Sendable, Hashable {
    case number(UInt32)
    case star

    /// The number, with `*` standing for `largest` (which is 0 for an empty mailbox).
    public func resolved(largest: UInt32) -> UInt32 {
        switch self {
        case .number(let value): value
        case .star: largest
        }
    }
}

/// `a:b` or a single `a` (then `first == last`). The order is as written; `4:2` means `2:4` (RFC 9051 §9).
public struct IMAPSequenceRange: Sendable, Hashable {
    public var first: IMAPSequenceNumber
    public var last: IMAPSequenceNumber

    public init(_ first: IMAPSequenceNumber, _ last: IMAPSequenceNumber) {
        self.first = first
        self.last = last
    }

    public init(_ single: IMAPSequenceNumber) { self.init(single, single) }

    public init(_ range: ClosedRange<UInt32>) { self.init(.number(range.lowerBound), .number(range.upperBound)) }

    /// The range in ascending order, `*` replaced by `largest`.
    public func resolved(largest: UInt32) -> ClosedRange<UInt32> {
        let a = first.resolved(largest: largest)
        let b = last.resolved(largest: largest)
        return min(a, b)...max(a, b)
    }
}

/// A `sequence-set` (RFC 3501 §9), or `$`, the result saved by `SEARCH RETURN (SAVE)` (RFC 5182 §2).
public enum IMAPSequenceSet: Sendable, Hashable {
    case ranges([IMAPSequenceRange])
    case lastResult

    /// The set of UIDs or numbers, written as `1:3,5` (also used by COPYUID, MODIFIED, VANISHED, ESEARCH ALL).
    public init(_ ranges: [ClosedRange<UInt32>]) { self = .ranges(ranges.map(IMAPSequenceRange.init)) }

    /// Ascending, merged ranges with `*` replaced by `largest`; `nil` for `$`.
    public func normalized(largest: UInt32) -> [ClosedRange<UInt32>]? {
        guard case .ranges(let ranges) = self else { return nil }
        let sorted = ranges.map { $0.resolved(largest: largest) }.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = merged.last, last.upperBound == .max || range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// The textual form (`1:3,5,7:*` or `$`).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        IMAPWriter.writeSequenceSet(self, into: &out)
        return out
    }
}
