import Core
import Store
import Testing

@testable import IMAP

@Suite("Session: mailbox view synchronisation (RFC 9051 §7.4, §7.5.1; RFC 7162 §3.2.10)")
struct SessionMailboxViewTests {
    private func view(_ uids: [UInt32], modSeq: Int64 = 10) -> MailboxView {
        let info = MailboxInfo(
            id: 1, accountID: 1, name: "INBOX", uidValidity: 7, uidNext: (uids.last ?? 0) + 1, highestModSeq: modSeq,
            specialUse: nil, subscribed: true, messageCount: uids.count, unseenCount: 0)
        let index = MailboxIndex(messages: uids.map { MessageState(uid: $0, flags: [], modSeq: 1) }, highestModSeq: modSeq)
        return MailboxView(mailbox: info, index: index, readOnly: false)
    }

    private func changes(changed: [MessageState] = [], expunged: [UInt32] = [], modSeq: Int64 = 20, uidNext: UInt32 = 10)
        -> MailboxChanges
    {
        MailboxChanges(highestModSeq: modSeq, uidNext: uidNext, changed: changed, expunged: expunged)
    }

    @Test("expunges are announced highest first with sequence numbers valid when sent, then EXISTS, then flags")
    func order() {
        var v = view([3, 5, 8, 9])
        let updates = v.apply(
            changes(
                changed: [MessageState(uid: 9, flags: ["\\Seen"], modSeq: 15), MessageState(uid: 12, flags: [], modSeq: 16)],
                expunged: [3, 8]),
            allowExpunge: true, qresync: false)
        #expect(
            updates == [
                .expunge(sequence: 3), .expunge(sequence: 1), .exists(3),
                .flags(sequence: 2, state: MessageState(uid: 9, flags: ["\\Seen"], modSeq: 15)),
            ])
        #expect(v.uids == [5, 9, 12] && v.highestModSeq == 20 && v.sequence(of: 12) == 3 && v.uid(at: 1) == 5)
    }

    @Test("during FETCH/STORE/SEARCH by number expunges are held back, new mail is still announced")
    func heldBack() {
        var v = view([1, 2, 3])
        let first = v.apply(
            changes(changed: [MessageState(uid: 4, flags: [], modSeq: 12)], expunged: [2]), allowExpunge: false, qresync: false)
        #expect(first == [.exists(4)])
        #expect(v.uids == [1, 2, 3, 4] && v.isExpungedPending(2))
        // Flag changes of a message already gone are not announced.
        let second = v.apply(
            changes(changed: [MessageState(uid: 2, flags: ["\\Seen"], modSeq: 21)], modSeq: 21), allowExpunge: false,
            qresync: false)
        #expect(second.isEmpty)
        let third = v.apply(changes(modSeq: 21), allowExpunge: true, qresync: false)
        #expect(third == [.expunge(sequence: 2)] && v.uids == [1, 3, 4])
    }

    @Test("with QRESYNC removals are one VANISHED; own removals return sequence numbers highest first")
    func vanished() {
        var v = view([1, 2, 3, 4])
        #expect(v.apply(changes(expunged: [1, 3, 99]), allowExpunge: true, qresync: true) == [.vanished([1, 3])])
        #expect(v.remove([4, 2, 42]) == [2, 1])
        #expect(v.uids.isEmpty)
    }

    @Test("this session's own flag changes are not echoed back as unsolicited FETCH")
    func ownChanges() {
        var v = view([1, 2])
        v.record(MessageState(uid: 1, flags: ["\\Flagged"], modSeq: 11))
        let updates = v.apply(
            changes(changed: [MessageState(uid: 1, flags: ["\\Flagged"], modSeq: 11)]), allowExpunge: true, qresync: false)
        #expect(updates.isEmpty)
    }
}

@Suite("Session: LIST patterns (RFC 9051 §6.3.9)")
struct SessionListPatternTests {
    private func matches(_ pattern: String, _ name: String, reference: String = "") -> Bool {
        MailboxPattern(reference: reference, pattern: pattern, delimiter: "/").matches(name)
    }

    @Test("* crosses levels, % stops at the delimiter, INBOX is case-insensitive, the reference is prefixed")
    func wildcards() {
        #expect(matches("*", "Work/2026/Q1") && matches("W*1", "Work/2026/Q1"))
        #expect(matches("%", "Work") && !matches("%", "Work/2026") && matches("Work/%", "Work/2026"))
        #expect(!matches("Work/%", "Work/2026/Q1") && matches("%/%/Q%", "Work/2026/Q1"))
        #expect(matches("inbox", "INBOX") && matches("InBox/%", "INBOX/sub") && !matches("inboxes", "INBOXES"))
        #expect(matches("%", "Work/2026", reference: "Work/") && !matches("%", "Work", reference: "Work/"))
        #expect(matches("", "") && !matches("", "Work") && !matches("Wor", "Work"))
    }

    @Test("a pattern of thousands of wildcards is decided quickly, without recursion")
    func hostile() {
        let pattern = String(repeating: "*%", count: 500) + "x"
        let started = ContinuousClock.now
        #expect(!matches(pattern, String(repeating: "a/", count: 400)))
        #expect(ContinuousClock.now - started < .seconds(20))  // backtracking would take years
    }
}

@Suite("Session: message header cache")
struct SessionHeaderCacheTests {
    @Test("entries are found by path, and the oldest go first once the byte budget is spent")
    func eviction() {
        let cache = MessageHeaderCache(capacity: 1600)
        for n in 0..<20 { cache.store([UInt8](repeating: UInt8(n), count: 90), path: "/m/\(n)") }
        #expect(cache.byteCount <= 1600)
        #expect(cache.header("/m/0") == nil && cache.header("/m/19") == [UInt8](repeating: 19, count: 90))
        // An entry larger than a sixteenth of the budget is not kept.
        cache.store([UInt8](repeating: 1, count: 200), path: "/m/big")
        #expect(cache.header("/m/big") == nil)
    }
}
