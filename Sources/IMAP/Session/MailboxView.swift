import Core

/// One session's view of its selected mailbox (RFC 9051 §2.3.1): the message sequence numbers
/// it has announced, with each message's UID, flags and modseq as last reported.
///
/// The index is authoritative and shared by every session and node; a view only moves forward
/// by applying `MailboxChanges` read from the index (`since: highestModSeq`). Applying changes
/// yields the untagged updates the client must see: expunges (or VANISHED with QRESYNC),
/// EXISTS for new messages and FETCH FLAGS for flags another session changed.
public struct MailboxView: Sendable {
    /// An update to announce to the client, in the order returned.
    public enum Update: Sendable, Equatable {
        /// `* n EXPUNGE` (RFC 9051 §7.5.1): `sequence` is valid at the moment it is sent.
        case expunge(sequence: Int)
        /// `* VANISHED uid-set` (RFC 7162 §3.2.10), used instead of EXPUNGE once QRESYNC is enabled.
        case vanished([UInt32])
        /// `* n EXISTS`.
        case exists(Int)
        /// `* n FETCH (FLAGS (...) [UID u] [MODSEQ (m)])` for a change made elsewhere.
        case flags(sequence: Int, state: MessageState)
    }

    public let mailboxID: Int64
    public let uidValidity: UInt32
    public let readOnly: Bool
    /// UIDs in sequence order (ascending): message sequence number n is `uids[n - 1]`.
    public private(set) var uids: [UInt32]
    /// Flags and modseq as reported to the client, by UID.
    public private(set) var states: [UInt32: MessageState]
    /// The modseq up to which the index has been applied to this view.
    public private(set) var highestModSeq: Int64
    public private(set) var uidNext: UInt32
    /// Expunges read from the index but not yet announced (held back during FETCH, STORE and
    /// SEARCH by sequence number, RFC 9051 §7.5.1).
    public private(set) var pendingExpunges: Set<UInt32> = []
    /// Messages this session reports as `\Recent` (RFC 3501 §2.3.2): claimed by it alone.
    public private(set) var recent: Set<UInt32> = []

    /// A view starting from `index` (read with `mailbox`): its storage is shared until either changes.
    public init(mailbox: MailboxInfo, index: MailboxIndex, readOnly: Bool) {
        mailboxID = mailbox.id
        uidValidity = mailbox.uidValidity
        self.readOnly = readOnly
        uids = index.uids
        states = index.states
        highestModSeq = mailbox.highestModSeq
        uidNext = mailbox.uidNext
    }

    public var count: Int { uids.count }

    /// The sequence number of `uid`, if the view holds it.
    public func sequence(of uid: UInt32) -> Int? {
        var low = 0
        var high = uids.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if uids[middle] == uid { return middle + 1 }
            if uids[middle] < uid { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// The UID at sequence number `sequence` (1-based).
    public func uid(at sequence: Int) -> UInt32? {
        sequence >= 1 && sequence <= uids.count ? uids[sequence - 1] : nil
    }

    /// Whether a message is known expunged but still holds its sequence number.
    public func isExpungedPending(_ uid: UInt32) -> Bool { !pendingExpunges.isEmpty && pendingExpunges.contains(uid) }

    /// Marks the messages from `firstUID` on as `\Recent` for this session.
    public mutating func markRecent(from firstUID: UInt32) {
        var low = 0
        var high = uids.count
        while low < high {
            let middle = (low + high) / 2
            if uids[middle] < firstUID { low = middle + 1 } else { high = middle }
        }
        recent.formUnion(uids[low...])
    }

    /// Marks the last `count` messages as `\Recent` (EXAMINE shows, but does not claim, them).
    public mutating func markLastRecent(_ count: Int) {
        recent.formUnion(uids.suffix(max(0, count)))
    }

    /// Records flags this session itself set (its STORE reply already told the client).
    public mutating func record(_ state: MessageState) {
        guard states[state.uid] != nil else { return }
        states[state.uid] = state
    }

    /// Applies changes read from the index.
    ///
    /// - Parameters:
    ///   - allowExpunge: false while answering FETCH, STORE or SEARCH by sequence number: then
    ///     removals are held back (`pendingExpunges`) and new messages are still announced.
    ///   - qresync: report removals as one VANISHED instead of EXPUNGE per message.
    /// - Returns: the updates to send, in order.
    public mutating func apply(_ changes: MailboxChanges, allowExpunge: Bool, qresync: Bool) -> [Update] {
        var updates: [Update] = []
        // Looked up one by one (a binary search each): a set of every UID would cost each session
        // of a large mailbox work in proportion to its size at every change.
        pendingExpunges.formUnion(changes.expunged.filter { sequence(of: $0) != nil })
        if allowExpunge && !pendingExpunges.isEmpty {
            let gone = pendingExpunges.sorted()
            pendingExpunges = []
            if qresync {
                updates.append(.vanished(gone))
            } else {
                for uid in gone.reversed() {
                    if let sequence = sequence(of: uid) { updates.append(.expunge(sequence: sequence)) }
                }
            }
            let goneSet = Set(gone)
            uids.removeAll { goneSet.contains($0) }
            recent.subtract(goneSet)
            for uid in gone { states[uid] = nil }
        }
        let expunged = Set(changes.expunged)
        let last = uids.last ?? 0
        var added = 0
        var flagUpdates: [Update] = []
        for state in changes.changed where !expunged.contains(state.uid) {
            if state.uid > last {
                uids.append(state.uid)
                states[state.uid] = state
                added += 1
            } else if let old = states[state.uid], !pendingExpunges.contains(state.uid) {
                states[state.uid] = state
                if Set(old.flags.map { $0.lowercased() }) != Set(state.flags.map { $0.lowercased() }),
                    let sequence = sequence(of: state.uid)
                {
                    flagUpdates.append(.flags(sequence: sequence, state: state))
                }
            }
        }
        if added > 0 { updates.append(.exists(uids.count)) }
        updates += flagUpdates
        highestModSeq = max(highestModSeq, changes.highestModSeq)
        uidNext = max(uidNext, changes.uidNext)
        return updates
    }

    /// Removes messages this session expunged itself (EXPUNGE, UID EXPUNGE, MOVE), returning
    /// the sequence numbers to announce, highest first, or the UIDs for VANISHED.
    public mutating func remove(_ removed: [UInt32]) -> [Int] {
        var sequences: [Int] = []
        for uid in Set(removed).sorted().reversed() {
            guard let sequence = sequence(of: uid) else { continue }
            sequences.append(sequence)
            uids.remove(at: sequence - 1)
            states[uid] = nil
            recent.remove(uid)
            pendingExpunges.remove(uid)
        }
        return sequences
    }
}
