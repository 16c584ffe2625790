import Core

extension IMAPMailboxStore {
    /// Rows of `uids` and their content as `need` says, stopping once `byteBudget` bytes of content
    /// are loaded (at least one message), so memory per batch stays bounded while a large FETCH
    /// streams. A file that cannot be read gives nil content.
    func load(mailboxID: Int64, uids: [UInt32], content need: IMAPContentNeed, byteBudget: Int) async throws
        -> IMAPEffectResult
    {
        let rows = try await messages(mailboxID: mailboxID, uids: uids)
        guard need != .none else { return .messages(rows.map { IMAPLoadedMessage(row: $0, content: nil) }, consumed: uids.count) }
        let byUID = Dictionary(rows.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        var loaded: [IMAPLoadedMessage] = []
        var bytes = 0
        var consumed = 0
        for uid in uids {
            if bytes >= byteBudget && consumed > 0 { break }
            consumed += 1
            guard let row = byUID[uid] else { continue }
            let content = try? await self.content(of: row, headerOnly: need == .header)
            bytes += content?.count ?? 0
            loaded.append(IMAPLoadedMessage(row: row, content: content))
        }
        return .messages(loaded, consumed: consumed)
    }
}
