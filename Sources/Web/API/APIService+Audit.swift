import Admin

extension APIService {
    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        let principal = try await principal()
        let query = input.query
        let filter = AuditFilter(
            actor: query.actor, action: query.action, target: query.target, since: query.since, until: query.until,
            cursor: query.cursor, limit: try Self.pageSize(query.limit))
        let page = try await console.auditLog(as: principal, filter)
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0) }, next: page.next))))
    }

    func listLogins(_ input: Operations.ListLogins.Input) async throws -> Operations.ListLogins.Output {
        let principal = try await principal()
        let query = input.query
        let filter = LoginLogFilter(
            login: query.login, ip: query.ip, protocolName: query._protocol, onlyFailures: query.failures ?? false,
            cursor: query.cursor, limit: try Self.pageSize(query.limit))
        let page = try await console.loginLog(as: principal, filter)
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0) }, next: page.next))))
    }
}
