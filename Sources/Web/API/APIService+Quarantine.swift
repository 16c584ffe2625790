import Admin
import Filter

extension APIService {
    func listQuarantine(_ input: Operations.ListQuarantine.Input) async throws -> Operations.ListQuarantine.Output {
        let principal = try await principal()
        let filter = QuarantineFilter(
            reason: input.query.reason, sender: input.query.sender, recipient: input.query.recipient,
            cursor: input.query.cursor, limit: try Self.pageSize(input.query.limit))
        let page = try await console.quarantineEntries(as: principal, filter)
        let subjects = try await console.quarantineSubjects(as: principal, page.items)
        return .ok(
            .init(body: .json(.init(items: page.items.map { .init($0, subject: subjects[$0.id]) }, next: page.next))))
    }

    func getQuarantined(_ input: Operations.GetQuarantined.Input) async throws -> Operations.GetQuarantined.Output {
        let message = try await console.quarantinedMessage(as: principal(), id: input.path.id)
        return .ok(
            .init(
                body: .json(
                    .init(
                        entry: .init(
                            message.entry, subject: message.headers.first { $0.name.lowercased() == "subject" }?.value),
                        headers: message.headers.map { .init(name: $0.name, value: $0.value) },
                        verdictHeaders: message.verdictHeaders.map { .init(name: $0.name, value: $0.value) }))))
    }

    func deleteQuarantined(_ input: Operations.DeleteQuarantined.Input) async throws
        -> Operations.DeleteQuarantined.Output
    {
        try await console.deleteQuarantined(as: principal(), id: input.path.id)
        return .noContent(.init())
    }

    func releaseQuarantined(_ input: Operations.ReleaseQuarantined.Input) async throws
        -> Operations.ReleaseQuarantined.Output
    {
        let queued = try await console.releaseQuarantined(as: principal(), id: input.path.id)
        return .ok(.init(body: .json(.init(queueId: queued))))
    }
}

extension Components.Schemas.QuarantineEntry {
    init(_ entry: Filter.QuarantineEntry, subject: String?) {
        self.init(
            id: entry.id, heldAt: entry.heldAt, reason: entry.reason, subject: subject, sender: entry.reversePath,
            recipients: entry.recipients, size: entry.size, clientIp: entry.clientIP)
    }
}
