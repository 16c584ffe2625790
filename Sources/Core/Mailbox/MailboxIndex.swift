/// Every message's UID, flags and modseq in one mailbox as of `highestModSeq`, with what SELECT
/// announces from them: the keywords in use and the first unseen message (RFC 9051 §6.3.2).
///
/// A value whose storage copies share until one changes: the sessions that open a mailbox start
/// from one index (`MailStore` keeps the indexes of recently opened mailboxes and brings one up to
/// date with `apply`, reading only what changed since its modseq), instead of each reading and
/// holding every message's state.
public struct MailboxIndex: Sendable, Equatable {
    /// UIDs, ascending: message sequence number n is `uids[n - 1]`.
    public private(set) var uids: [UInt32]
    /// Flags and modseq by UID.
    public private(set) var states: [UInt32: MessageState]
    /// The mailbox's HIGHESTMODSEQ this index is up to date with.
    public private(set) var highestModSeq: Int64
    /// The keywords (flags without a backslash) some message has, each in the spelling of its first
    /// message, one per case-insensitive name.
    public private(set) var keywords: [String] = []
    /// The sequence number of the first message without `\Seen`, if any.
    public private(set) var firstUnseen: Int?
    /// Messages without `\Seen`.
    public private(set) var unseenCount = 0

    /// `messages` in ascending UID order, read with the mailbox's `highestModSeq`.
    public init(messages: [MessageState], highestModSeq: Int64) {
        uids = messages.map(\.uid)
        states = Dictionary(messages.map { ($0.uid, $0) }, uniquingKeysWith: { _, last in last })
        self.highestModSeq = highestModSeq
        summarize()
    }

    public var count: Int { uids.count }

    /// The states in sequence order.
    public var messages: [MessageState] { uids.compactMap { states[$0] } }

    /// Brings the index up to `changes.highestModSeq`: what a full read at that modseq would give.
    /// Removals first, then the rows read: a row in the index is a message that exists.
    public mutating func apply(_ changes: MailboxChanges) {
        guard changes.highestModSeq > highestModSeq else { return }
        let removed = Set(changes.expunged.filter { states[$0] != nil })
        if !removed.isEmpty {
            uids.removeAll { removed.contains($0) }
            for uid in removed { states[uid] = nil }
        }
        var unordered = false
        for state in changes.changed {
            if states.updateValue(state, forKey: state.uid) == nil {
                if let last = uids.last, state.uid < last { unordered = true }
                uids.append(state.uid)
            }
        }
        if unordered { uids.sort() }
        highestModSeq = changes.highestModSeq
        summarize()
    }

    /// Recomputes `keywords`, `firstUnseen` and `unseenCount` (once per change of the index, shared by
    /// its readers).
    private mutating func summarize() {
        var byName: [String: String] = [:]
        var spellings: Set<String> = []
        firstUnseen = nil
        unseenCount = 0
        for (offset, uid) in uids.enumerated() {
            guard let flags = states[uid]?.flags else { continue }
            if !flags.contains("\\Seen") {
                unseenCount += 1
                if firstUnseen == nil { firstUnseen = offset + 1 }
            }
            for flag in flags where !flag.hasPrefix("\\") && spellings.insert(flag).inserted {
                let name = flag.lowercased()
                if byName[name] == nil { byName[name] = flag }
            }
        }
        keywords = Array(byName.values)
    }
}
