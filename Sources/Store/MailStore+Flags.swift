import Core
import SQLKit

extension MailStore {
    /// Changes the flags of messages of one mailbox (IMAP STORE).
    ///
    /// One transaction: the mailbox row is locked, every message whose flags actually change
    /// gets one new modseq (RFC 7162 §3.1.1: all changes of one operation may share it), and
    /// with `unchangedSince` messages modified after it are left alone and reported.
    /// Watchers are notified when anything changed.
    @discardableResult
    public func storeFlags(
        mailboxID: Int64, uids: [UInt32], operation: FlagOperation, flags: [String], unchangedSince: Int64? = nil
    ) async throws -> FlagStoreResult {
        let given = try MessageFlags.normalize(flags)
        let wanted = Array(Set(uids)).sorted()
        let result = try await database.transaction { db -> FlagStoreResult in
            try await db.raw("UPDATE mailbox SET highest_modseq = highest_modseq WHERE id = \(bind: mailboxID)").run()
            let current = try await Self.states(db, mailboxID: mailboxID, uids: wanted)
            var groups: [MessageFlags.Columns: [UInt32]] = [:]
            var result = FlagStoreResult(messages: [], changed: [], modified: [])
            for state in current {
                let next = try MessageFlags.normalize(operation.apply(given, to: state.flags))
                if let unchangedSince, state.modSeq > unchangedSince {
                    result.modified.append(state.uid)
                    continue
                }
                if Set(next.map { $0.lowercased() }) != Set(state.flags.map { $0.lowercased() }) {
                    groups[MessageFlags.Columns(next), default: []].append(state.uid)
                }
            }
            guard !groups.isEmpty else {
                result.messages = current
                return result
            }
            let modSeq = try await Self.nextModSeq(db, mailboxID: mailboxID)
            for (columns, group) in groups {
                try await Self.forEachBatch(group) { batch in
                    try await db.raw(
                        """
                        UPDATE message SET flags = \(bind: columns.text), seen = \(bind: columns.seen),
                          deleted = \(bind: columns.deleted), modseq = \(bind: modSeq)
                        WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(binds: batch))
                        """
                    ).run()
                }
                result.changed.formUnion(group)
            }
            let newFlags = groups.reduce(into: [UInt32: [String]]()) { map, entry in
                for uid in entry.value { map[uid] = MessageFlags.decode(entry.key.text) }
            }
            result.messages = current.map { state in
                guard let flags = newFlags[state.uid] else { return state }
                return MessageState(uid: state.uid, flags: flags, modSeq: modSeq)
            }
            return result
        }
        if !result.changed.isEmpty { notifier.changed(mailboxID: mailboxID) }
        return result
    }

    /// The flags and modseq of the given messages (those that exist), by UID.
    static func states(_ db: any SQLDatabase, mailboxID: Int64, uids: [UInt32]) async throws -> [MessageState] {
        var states: [MessageState] = []
        try await forEachBatch(uids) { batch in
            let rows = try await db.raw(
                """
                SELECT uid, flags, modseq FROM message WHERE mailbox_id = \(bind: mailboxID) AND uid IN (\(binds: batch))
                """
            ).all()
            for row in rows { states.append(try messageState(row)) }
        }
        return states.sorted { $0.uid < $1.uid }
    }

    static func messageState(_ row: any SQLRow) throws -> MessageState {
        MessageState(
            uid: try uint32(row, "uid"), flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
            modSeq: try row.decode(column: "modseq", as: Int64.self))
    }

    /// Runs `body` over `uids` in slices small enough for any database's bound-parameter limit.
    static func forEachBatch(
        _ uids: [UInt32], size: Int = 500, _ body: ([any Encodable & Sendable]) async throws -> Void
    ) async throws {
        var start = 0
        while start < uids.count {
            let end = min(start + size, uids.count)
            try await body(uids[start..<end].map { Int64($0) as any Encodable & Sendable })
            start = end
        }
    }
}
