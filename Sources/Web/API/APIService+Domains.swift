import Admin

extension APIService {
    func listDomains(_ input: Operations.ListDomains.Input) async throws -> Operations.ListDomains.Output {
        let domains = try await console.domains(as: principal())
        return .ok(.init(body: .json(.init(items: domains.map { .init($0) }))))
    }

    func createDomain(_ input: Operations.CreateDomain.Input) async throws -> Operations.CreateDomain.Output {
        let principal = try await principal()
        guard case .json(let body) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let domain = try await console.addDomain(as: principal, name: body.name)
        return .created(.init(body: .json(.init(domain))))
    }

    func deleteDomain(_ input: Operations.DeleteDomain.Input) async throws -> Operations.DeleteDomain.Output {
        try await console.deleteDomain(as: principal(), name: input.path.name)
        return .noContent(.init())
    }
}
