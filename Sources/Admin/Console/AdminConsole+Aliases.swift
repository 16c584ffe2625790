import Core
import Directory

extension AdminConsole {
    /// Most targets one request may name.
    static let maxAliasTargets = 100

    /// The domain of an alias source (`local@domain` or `@domain`), lower case.
    static func aliasDomain(_ source: String) throws(AdminError) -> String {
        if source.hasPrefix("@") {
            let domain = source.dropFirst().lowercased()
            guard !domain.isEmpty else { throw .invalid("'\(source)' is not a valid alias source") }
            return domain
        }
        return try domain(of: source)
    }

    /// Aliases by source, of one domain or of every domain the principal acts in.
    public func aliases(as principal: Principal, domain: String?) async throws -> [Alias] {
        try principal.require(.manageAliases, in: domain?.lowercased())
        let all = try await Self.translate { try await directory.aliases(domain: domain) }
        guard let scope = principal.domainScope else { return all }
        return all.filter { alias in (try? Self.aliasDomain(alias.source)).map(scope.contains) ?? false }
    }

    /// Makes `source` also deliver to each of `targets`.
    public func addAlias(as principal: Principal, source: String, targets: [String]) async throws {
        try principal.require(.manageAliases, in: try Self.aliasDomain(source))
        guard !targets.isEmpty, targets.count <= Self.maxAliasTargets else {
            throw AdminError.invalid("name 1 to \(Self.maxAliasTargets) targets")
        }
        try await requireTargetsInScope(principal, targets)
        let before = try await aliasTargets(source)
        try await Self.translate { try await directory.addAlias(source, targets: targets) }
        await audit(
            principal, "alias.add", target: source.lowercased(), before: before.isEmpty ? nil : before,
            after: try await aliasTargets(source))
    }

    /// Removes targets of `source`, or the whole alias when `targets` is empty.
    public func deleteAlias(as principal: Principal, source: String, targets: [String]) async throws {
        try principal.require(.manageAliases, in: try Self.aliasDomain(source))
        let before = try await aliasTargets(source)
        try await Self.translate { try await directory.deleteAlias(source, targets: targets) }
        let after = try await aliasTargets(source)
        await audit(principal, "alias.delete", target: source.lowercased(), before: before, after: after.isEmpty ? nil : after)
    }

    /// A domain admin may forward their domains' mail outside the site, but may not point it at
    /// the mailboxes of the site's other domains (mail placed there unasked, past their filters).
    private func requireTargetsInScope(_ principal: Principal, _ targets: [String]) async throws {
        guard principal.domainScope != nil else { return }
        for target in targets {
            guard let at = target.lastIndex(of: "@") else { continue }  // invalid: the directory refuses it
            let domain = target[target.index(after: at)...].lowercased()
            if try await directory.isLocalDomain(domain) { try principal.require(.manageAliases, in: domain) }
        }
    }

    /// The current targets of an alias (empty when there is none).
    func aliasTargets(_ source: String) async throws -> [String] {
        let domain = try Self.aliasDomain(source)
        guard try await directory.isLocalDomain(domain) else { return [] }
        let key = source.lowercased()
        return try await directory.aliases(domain: domain).first { $0.source == key }?.targets ?? []
    }
}
