import Admin

extension APIService {
    func listAccounts(_ input: Operations.ListAccounts.Input) async throws -> Operations.ListAccounts.Output {
        let principal = try await principal()
        let query = AccountQuery(
            search: input.query.search, domain: input.query.domain, cursor: input.query.cursor,
            limit: try Self.pageSize(input.query.limit))
        let page = try await console.accounts(as: principal, query)
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0) }, next: page.next))))
    }

    func createAccount(_ input: Operations.CreateAccount.Input) async throws -> Operations.CreateAccount.Output {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let account = try await console.createAccount(
            as: principal, address: body.address, password: body.password, displayName: body.displayName ?? "",
            quotaBytes: body.quotaBytes ?? 0)
        return .created(.init(body: .json(.init(account))))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let detail = try await console.account(as: principal(), address: input.path.address)
        return .ok(.init(body: .json(.init(detail))))
    }

    /// Applies the fields present, in a fixed order (display name, quota, enabled): each one is a
    /// console operation with its own permission and audit row.
    func updateAccount(_ input: Operations.UpdateAccount.Input) async throws -> Operations.UpdateAccount.Output {
        let principal = try await principal()
        guard case .json(let change) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let address = input.path.address
        if let displayName = change.displayName {
            try await console.setDisplayName(as: principal, address: address, displayName: displayName)
        }
        if let quota = change.quotaBytes {
            guard quota >= 0 else { throw APIProblem.invalid("quota_bytes must not be negative") }
            try await console.setQuota(as: principal, address: address, bytes: quota)
        }
        if let enabled = change.enabled {
            try await console.setEnabled(as: principal, address: address, enabled: enabled)
        }
        let detail = try await console.account(as: principal, address: address)
        return .ok(.init(body: .json(.init(detail))))
    }

    func deleteAccount(_ input: Operations.DeleteAccount.Input) async throws -> Operations.DeleteAccount.Output {
        try await console.deleteAccount(as: principal(), address: input.path.address)
        return .noContent(.init())
    }

    func setAccountPassword(_ input: Operations.SetAccountPassword.Input) async throws
        -> Operations.SetAccountPassword.Output
    {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.setPassword(as: principal, address: input.path.address, password: body.password)
        return .noContent(.init())
    }

    func listAccountLogins(_ input: Operations.ListAccountLogins.Input) async throws
        -> Operations.ListAccountLogins.Output
    {
        let principal = try await principal()
        // The account must exist and be visible to the caller (a domain admin's other domains are 404/403).
        _ = try await console.account(as: principal, address: input.path.address)
        let filter = LoginLogFilter(
            login: input.path.address.lowercased(), onlyFailures: input.query.failures ?? false,
            cursor: input.query.cursor, limit: try Self.pageSize(input.query.limit))
        let page = try await console.loginLog(as: principal, filter)
        return .ok(.init(body: .json(.init(items: page.items.map { .init($0) }, next: page.next))))
    }

    func liftAccountThrottle(_ input: Operations.LiftAccountThrottle.Input) async throws
        -> Operations.LiftAccountThrottle.Output
    {
        try await console.liftThrottle(as: principal(), login: input.path.address)
        return .noContent(.init())
    }
}
