import Directory
import Store

extension Webmail {
    /// Yields whenever a message or flag of one of the account's folders changes, here, over IMAP,
    /// by delivery, or on another node (the store's notifier: LISTEN/NOTIFY on PostgreSQL). Folders
    /// made after the call are not watched; the page's event stream is reopened now and then.
    public func changes(_ account: Account) async throws -> AsyncStream<Void> {
        let boxes = try await store.mailboxes(accountID: account.id)
        let streams = boxes.map { store.notifier.changes(mailboxID: $0.id) }
        return AsyncStream(bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                await withTaskGroup(of: Void.self) { group in
                    for stream in streams {
                        group.addTask {
                            for await _ in stream { continuation.yield() }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
