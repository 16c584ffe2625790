import Core

extension IMAPMailboxStore {
    /// Index rows read per query while loading content.
    static var rowChunk: Int { 32 }

    /// Rows of `uids` and their content as `need` says, stopping once `byteBudget` bytes of content
    /// are loaded (at least one message), so memory per batch stays bounded while a large FETCH
    /// streams. A file that cannot be read gives nil content.
    func load(mailboxID: Int64, uids: [UInt32], content need: IMAPContentNeed, byteBudget: Int) async throws
        -> IMAPEffectResult
    {
        guard need != .none else {
            let rows = try await messages(mailboxID: mailboxID, uids: uids)
            return .messages(rows.map { IMAPLoadedMessage(row: $0, content: nil) }, consumed: uids.count)
        }
        // Rows are read a few at a time: a budget reached early leaves most of `uids` for the next
        // load, which would otherwise read their rows again.
        var loaded: [IMAPLoadedMessage] = []
        var bytes = 0
        var consumed = 0
        while consumed < uids.count, bytes < byteBudget || consumed == 0 {
            let chunk = Array(uids[consumed..<min(uids.count, consumed + Self.rowChunk)])
            let rows = try await messages(mailboxID: mailboxID, uids: chunk)
            let byUID = Dictionary(rows.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
            for uid in chunk {
                if bytes >= byteBudget && consumed > 0 { break }
                consumed += 1
                guard let row = byUID[uid] else { continue }
                let content = try? await self.content(of: row, headerOnly: need == .header)
                bytes += content?.count ?? 0
                loaded.append(IMAPLoadedMessage(row: row, content: content))
            }
        }
        return .messages(loaded, consumed: consumed)
    }
}
