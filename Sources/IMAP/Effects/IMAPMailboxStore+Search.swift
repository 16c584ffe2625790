import Core

extension IMAPMailboxStore {
    /// SEARCH's content round: the verdict for each message of `search` (see `IMAPContentSearch`).
    func search(_ search: IMAPContentSearch) async -> IMAPEffectResult {
        var verdicts: [UInt32: Bool] = [:]
        for item in search.items {
            verdicts[item.row.uid] = await search.matches(item) { row, headerOnly in
                try? await content(of: row, headerOnly: headerOnly)
            }
        }
        return .searched(verdicts)
    }
}
