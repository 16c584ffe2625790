import Core
import NIOConcurrencyHelpers

/// The indexes of the mailboxes opened most recently on this node, shared by the sessions that
/// open them (`MailStore.states`). The index in the database stays authoritative: an entry is only
/// a starting point that `states` brings up to date with what changed since its modseq, read in
/// the same snapshot as the mailbox, so every node's cache follows changes made anywhere.
///
/// An entry is keyed by mailbox id and UIDVALIDITY (a mailbox re-created under a reused id, or
/// given a new UIDVALIDITY by an import, starts afresh). The cache holds at most `capacity`
/// messages in all; the mailboxes used least recently are dropped first.
final class MailboxIndexCache: Sendable {
    /// Messages held in all (about 100 bytes each): a few 100,000-message folders, or many small ones.
    static let defaultCapacity = 500_000

    let capacity: Int
    private let state = NIOLockedValueBox(State())

    private struct Entry {
        var uidValidity: UInt32
        var index: MailboxIndex
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Int64: Entry] = [:]
        var messages = 0
        var clock: UInt64 = 0
    }

    init(capacity: Int = MailboxIndexCache.defaultCapacity) {
        self.capacity = capacity
    }

    /// The cached index of the mailbox, if any, and whatever its UIDVALIDITY.
    func index(of mailboxID: Int64) -> (uidValidity: UInt32, index: MailboxIndex)? {
        state.withLockedValue { s in
            guard var entry = s.entries[mailboxID] else { return nil }
            s.clock += 1
            entry.lastUse = s.clock
            s.entries[mailboxID] = entry
            return (entry.uidValidity, entry.index)
        }
    }

    /// Keeps `index` unless the cache already holds a later one of the same mailbox; a mailbox
    /// larger than the whole cache is not kept.
    func keep(_ index: MailboxIndex, of mailboxID: Int64, uidValidity: UInt32) {
        state.withLockedValue { s in
            if let old = s.entries[mailboxID] {
                if old.uidValidity == uidValidity && old.index.highestModSeq >= index.highestModSeq { return }
                s.messages -= old.index.count
                s.entries[mailboxID] = nil
            }
            guard index.count <= capacity else { return }
            s.clock += 1
            s.entries[mailboxID] = Entry(uidValidity: uidValidity, index: index, lastUse: s.clock)
            s.messages += index.count
            while s.messages > capacity, let oldest = s.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                s.messages -= oldest.value.index.count
                s.entries[oldest.key] = nil
            }
        }
    }

    /// Drops the mailbox's entry (it was deleted).
    func forget(_ mailboxID: Int64) {
        state.withLockedValue { s in
            if let old = s.entries.removeValue(forKey: mailboxID) { s.messages -= old.index.count }
        }
    }

    /// Mailboxes and messages held (for tests and metrics).
    var usage: (mailboxes: Int, messages: Int) { state.withLockedValue { ($0.entries.count, $0.messages) } }
}
