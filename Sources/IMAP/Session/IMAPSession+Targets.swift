/// A message a command addresses: its sequence number and UID in the session's view.
struct TargetMessage: Sendable {
    var sequence: Int
    var uid: UInt32
}

extension IMAPSession {
    /// The messages of the selected mailbox a sequence set names (RFC 9051 §9 `sequence-set`),
    /// ascending. By UID, UIDs not in the mailbox are ignored and `*` is the highest UID; by
    /// sequence number, a number past the last message is an error (nil). `$` is the saved
    /// search result (RFC 5182).
    func targets(_ set: IMAPSequenceSet, uid: Bool) -> [TargetMessage]? {
        guard let current = view else { return nil }
        if case .lastResult = set {
            return current.uids.enumerated().compactMap { index, value in
                savedSearch.contains(value) ? TargetMessage(sequence: index + 1, uid: value) : nil
            }
        }
        if uid {
            guard let ranges = set.normalized(largest: current.uids.last ?? 0) else { return [] }
            return Self.positions(of: current.uids, in: ranges).map { TargetMessage(sequence: $0 + 1, uid: current.uids[$0]) }
        }
        let count = UInt32(current.count)
        guard case .ranges(let raw) = set else { return nil }
        for range in raw {
            for end in [range.first, range.last] {
                if case .number(let n) = end, n == 0 || n > count { return nil }
            }
        }
        guard let ranges = set.normalized(largest: count) else { return nil }
        var found: [TargetMessage] = []
        for range in ranges {
            for sequence in range where sequence >= 1 && sequence <= count {
                found.append(TargetMessage(sequence: Int(sequence), uid: current.uids[Int(sequence) - 1]))
            }
        }
        return found
    }

    /// Indices of the ascending `values` that fall in the ascending, merged `ranges`: one walk over
    /// both, so a set of thousands of ranges over a large mailbox stays linear.
    static func positions(of values: [UInt32], in ranges: [ClosedRange<UInt32>]) -> [Int] {
        var found: [Int] = []
        var range = 0
        for (index, value) in values.enumerated() {
            while range < ranges.count && ranges[range].upperBound < value { range += 1 }
            if range == ranges.count { break }
            if ranges[range].contains(value) { found.append(index) }
        }
        return found
    }
}
