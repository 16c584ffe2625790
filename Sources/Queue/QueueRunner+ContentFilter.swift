import Core

/// The external content filter: `.filter` deliveries go to the filter in one transaction per
/// message, with the original envelope recipients; the filter re-injects what it passes on a
/// listener with `filter = false`. The message stays queued until the filter accepted it.
/// Recipients an authenticated user relays to carry their relay tickets (`RelayTicket`).
extension QueueRunner {
    /// The delivery kinds the runner claims for the content filter.
    func contentFilterKinds(messageID: String?) -> [String] {
        contentFilter == nil || messageID != nil ? [] : [QueuedDelivery.Kind.filter.rawValue]
    }

    func contentFilterJobs(_ claims: [ClaimedDelivery]) -> [QueueJob] {
        guard let contentFilter else { return [] }
        // Relay tickets of the recipients (RelayTicket) go on top; nothing else Posta added.
        return handOffJobs(claims, kind: .filter, to: contentFilter, destination: "content-filter") {
            $0.compactMap(\.recipientHeaders).joined()
        }
    }
}
