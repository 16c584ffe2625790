import Core

/// Mailing lists: `.list` deliveries go to the list transport one message at a time, with every
/// list address the message was sent to; it runs each list's posting pipeline and queues the
/// members' copies as new messages, so the post is done (delivered) once they are queued. The
/// transport sees the header fields Posta added on receipt (spam verdicts), as a local delivery would.
extension QueueRunner {
    /// The delivery kinds the runner claims for the list transport.
    func listKinds(messageID: String?) -> [String] {
        lists == nil || messageID != nil ? [] : [QueuedDelivery.Kind.list.rawValue]
    }

    func listJobs(_ claims: [ClaimedDelivery]) -> [QueueJob] {
        guard let lists else { return [] }
        return handOffJobs(claims, kind: .list, to: lists, destination: "lists") { $0[0].headers ?? "" }
    }

    /// One job per message handing its `kind` deliveries to `transport` in one call, with the
    /// header fields `headers` picks for the group on top.
    func handOffJobs(
        _ claims: [ClaimedDelivery], kind: QueuedDelivery.Kind, to transport: any RemoteTransport, destination: String,
        headers: ([ClaimedDelivery]) -> String
    ) -> [QueueJob] {
        let groups = Dictionary(grouping: claims.filter { $0.kind == kind }, by: \.messageID)
        return groups.values.map { group in
            let first = group[0]
            let message = OutboundMessage(
                id: first.messageID, reversePath: first.reversePath, spoolPath: queue.spoolPath(first.spoolFile),
                headers: headers(group), size: first.size, body: first.body, smtpUTF8: first.smtpUTF8, dsnRet: first.dsnRet,
                dsnEnvID: first.dsnEnvID)
            let targets = group.map { OutboundTarget(rowID: $0.rowID, address: $0.target, notify: $0.notify, orcpt: $0.orcpt) }
            return QueueJob(destination: destination, claims: group) {
                let outcomes = await transport.deliver(message, domain: first.domain, targets: targets)
                return group.map { ($0, outcomes[$0.rowID] ?? .missing) }
            }
        }
    }
}
