import Admin
import Policy

extension APIService {
    func createPolicy(_ input: Operations.CreatePolicy.Input) async throws -> Operations.CreatePolicy.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.addPolicy(
            as: principal, name: request.name, priority: request.priority ?? 50, description: request.description ?? "")
        return .created(.init(body: .json(try await policy(request.name, as: principal))))
    }

    func deletePolicy(_ input: Operations.DeletePolicy.Input) async throws -> Operations.DeletePolicy.Output {
        try await console.deletePolicy(as: principal(), name: input.path.name)
        return .noContent(.init())
    }

    func createPolicyMember(_ input: Operations.CreatePolicyMember.Input) async throws
        -> Operations.CreatePolicyMember.Output
    {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard let attribute = PolicyAttribute(rawValue: request.attribute.rawValue) else {
            throw APIProblem.invalid("unknown attribute")
        }
        let id = try await console.addPolicyMember(
            as: principal, policy: input.path.name, attribute: attribute, pattern: request.pattern,
            negate: request.negate ?? false)
        guard let member = try await policy(input.path.name, as: principal).members.first(where: { $0.id == id }) else {
            throw APIProblem(.notFound, detail: "no policy member \(id)")
        }
        return .created(.init(body: .json(member)))
    }

    func deletePolicyMember(_ input: Operations.DeletePolicyMember.Input) async throws
        -> Operations.DeletePolicyMember.Output
    {
        try await console.deletePolicyMember(as: principal(), id: input.path.id)
        return .noContent(.init())
    }

    func listPolicyGroups(_ input: Operations.ListPolicyGroups.Input) async throws -> Operations.ListPolicyGroups.Output {
        let groups = try await console.policyGroups(as: principal())
        return .ok(.init(body: .json(.init(items: groups.map { .init(name: $0.name, entries: $0.entries) }))))
    }

    func createPolicyGroup(_ input: Operations.CreatePolicyGroup.Input) async throws -> Operations.CreatePolicyGroup.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.addPolicyGroup(as: principal, name: request.name)
        return .created(.init(body: .json(try await group(request.name, as: principal))))
    }

    func deletePolicyGroup(_ input: Operations.DeletePolicyGroup.Input) async throws -> Operations.DeletePolicyGroup.Output {
        try await console.deletePolicyGroup(as: principal(), name: input.path.name)
        return .noContent(.init())
    }

    func addPolicyGroupEntry(_ input: Operations.AddPolicyGroupEntry.Input) async throws
        -> Operations.AddPolicyGroupEntry.Output
    {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        try await console.addPolicyGroupEntry(as: principal, group: input.path.name, pattern: request.pattern)
        return .ok(.init(body: .json(try await group(input.path.name, as: principal))))
    }

    func deletePolicyGroupEntry(_ input: Operations.DeletePolicyGroupEntry.Input) async throws
        -> Operations.DeletePolicyGroupEntry.Output
    {
        try await console.deletePolicyGroupEntry(as: principal(), group: input.path.name, pattern: input.query.pattern)
        return .noContent(.init())
    }

    /// Policy `name` as it is now, with its quota counters.
    private func policy(_ name: String, as principal: Principal) async throws -> Components.Schemas.Policy {
        let overview = try await console.policies(as: principal)
        guard let policy = overview.policies.first(where: { $0.name == name }) else {
            throw APIProblem(.notFound, detail: "no policy \(name)")
        }
        return .init(policy, overview)
    }

    private func group(_ name: String, as principal: Principal) async throws -> Components.Schemas.PolicyGroup {
        guard let group = try await console.policyGroups(as: principal).first(where: { $0.name == name.lowercased() }) else {
            throw APIProblem(.notFound, detail: "no policy group \(name)")
        }
        return .init(name: group.name, entries: group.entries)
    }
}
