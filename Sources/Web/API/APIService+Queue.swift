import Admin

extension APIService {
    func listQueue(_ input: Operations.ListQueue.Input) async throws -> Operations.ListQueue.Output {
        let query = input.query
        let filter = QueueFilter(
            state: query.state?.rawValue, sender: query.sender, recipient: query.recipient, cursor: query.cursor,
            limit: try Self.pageSize(query.limit))
        let page = try await console.queueEntries(as: principal(), filter)
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0) }, next: page.next))))
    }

    func getQueueEntry(_ input: Operations.GetQueueEntry.Input) async throws -> Operations.GetQueueEntry.Output {
        let (entry, headers) = try await console.queueEntry(as: principal(), id: input.path.id)
        return .ok(.init(body: .json(.init(entry: .init(entry), headers: headers))))
    }

    func applyQueueAction(_ input: Operations.ApplyQueueAction.Input) async throws
        -> Operations.ApplyQueueAction.Output
    {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard let action = QueueAction(rawValue: request.action.rawValue) else {
            throw APIProblem.invalid("unknown queue action")
        }
        guard !request.ids.isEmpty else { throw APIProblem.invalid("ids must name at least one queued message") }
        let failed = try await console.queue(as: principal, action, ids: request.ids)
        return .ok(.init(body: .json(.init(failed: .init(additionalProperties: failed)))))
    }
}
