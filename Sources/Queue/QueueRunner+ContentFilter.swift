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
        let groups = Dictionary(grouping: claims.filter { $0.kind == .filter }, by: \.messageID)
        return groups.values.map { group in
            let first = group[0]
            // Relay tickets of the recipients (RelayTicket) go on top; nothing else Posta added.
            let message = OutboundMessage(
                id: first.messageID, reversePath: first.reversePath, spoolPath: queue.spoolPath(first.spoolFile),
                headers: group.compactMap(\.recipientHeaders).joined(), size: first.size, body: first.body,
                smtpUTF8: first.smtpUTF8, dsnRet: first.dsnRet, dsnEnvID: first.dsnEnvID)
            let targets = group.map { OutboundTarget(rowID: $0.rowID, address: $0.target, notify: $0.notify, orcpt: $0.orcpt) }
            return QueueJob(destination: "content-filter", claims: group) {
                let outcomes = await contentFilter.deliver(message, domain: first.domain, targets: targets)
                return group.map { ($0, outcomes[$0.rowID] ?? .missing) }
            }
        }
    }
}
