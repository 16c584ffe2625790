import Admin

extension APIService {
    func listAdministrators(_ input: Operations.ListAdministrators.Input) async throws
        -> Operations.ListAdministrators.Output
    {
        let admins = try await console.administrators(as: principal())
        return .ok(.init(body: .json(.init(items: admins.map { .init($0) }))))
    }

    func createAdministrator(_ input: Operations.CreateAdministrator.Input) async throws
        -> Operations.CreateAdministrator.Output
    {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let admin = try await console.addAdministrator(
            as: principal, login: body.login, password: body.password, role: body.role.adminRole,
            domains: body.domains ?? [], displayName: body.displayName ?? "")
        return .created(.init(body: .json(.init(admin))))
    }

    func deleteAdministrator(_ input: Operations.DeleteAdministrator.Input) async throws
        -> Operations.DeleteAdministrator.Output
    {
        try await console.deleteAdministrator(as: principal(), login: input.path.login)
        return .noContent(.init())
    }

    func setAdministratorRole(_ input: Operations.SetAdministratorRole.Input) async throws
        -> Operations.SetAdministratorRole.Output
    {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.setAdministratorRole(
            as: principal, login: input.path.login, role: body.role.adminRole, domains: body.domains ?? [])
        return .noContent(.init())
    }

    func setAdministratorPassword(_ input: Operations.SetAdministratorPassword.Input) async throws
        -> Operations.SetAdministratorPassword.Output
    {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.setAdministratorPassword(as: principal, login: input.path.login, password: body.password)
        return .noContent(.init())
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let tokens = try await console.tokens(as: principal(), admin: input.query.admin)
        return .ok(.init(body: .json(.init(items: tokens.map { .init($0) }))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let (token, record) = try await console.addToken(as: principal, admin: body.admin, name: body.name)
        return .created(.init(body: .json(.init(token: token, record: .init(record)))))
    }

    func deleteToken(_ input: Operations.DeleteToken.Input) async throws -> Operations.DeleteToken.Output {
        try await console.deleteToken(as: principal(), id: input.path.id)
        return .noContent(.init())
    }
}
