import Admin

extension APIService {
    func listAliases(_ input: Operations.ListAliases.Input) async throws -> Operations.ListAliases.Output {
        let aliases = try await console.aliases(as: principal(), domain: input.query.domain)
        return .ok(.init(body: .json(.init(items: aliases.map { .init($0) }))))
    }

    func createAlias(_ input: Operations.CreateAlias.Input) async throws -> Operations.CreateAlias.Output {
        let principal = try await principal()
        guard case .json(let alias) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard !alias.targets.isEmpty else { throw APIProblem.invalid("an alias needs at least one target") }
        try await console.addAlias(as: principal, source: alias.source, targets: alias.targets)
        return .created(.init(body: .json(alias)))
    }

    func deleteAlias(_ input: Operations.DeleteAlias.Input) async throws -> Operations.DeleteAlias.Output {
        try await console.deleteAlias(as: principal(), source: input.path.source, targets: input.query.target ?? [])
        return .noContent(.init())
    }
}
