import Admin
import Directory

/// The directory as one import run sees it. Every write goes through `AdminConsole`, as `posta domain add`,
/// `posta user add` and `posta alias add` do, so the directory's rules apply and the audit log records the import
/// under the caller's principal. A dry run writes nothing and remembers what it would have created, so that later
/// entries of the same run see it (an account in a domain the run would add; an alias named twice).
struct DirectoryImportContext {
    let console: AdminConsole
    let principal: Principal
    let dryRun: Bool
    /// Domains a dry run would have added.
    private var plannedDomains: Set<String> = []
    /// Alias targets by source key (`local@domain` lower case, or `@domain`), per domain, read once per run and kept
    /// up to date with what the run adds.
    private var aliases: [String: [String: [String]]] = [:]

    init(console: AdminConsole, principal: Principal, dryRun: Bool) {
        self.console = console
        self.principal = principal
        self.dryRun = dryRun
    }

    var directory: Directory { console.directory }

    /// Whether `domain` (normalized) is local, or a dry run would have made it so.
    func isLocal(_ domain: String) async throws -> Bool {
        if plannedDomains.contains(domain) { return true }
        return try await directory.isLocalDomain(domain)
    }

    /// Adds a local domain (in a dry run: remembers it).
    mutating func addDomain(_ domain: String) async throws {
        if dryRun {
            plannedDomains.insert(domain)
        } else {
            _ = try await console.addDomain(as: principal, name: domain)
        }
    }

    /// The targets of the alias with this source key, empty when there is none.
    mutating func aliasTargets(_ key: String, domain: String) async throws -> [String] {
        if aliases[domain] == nil {
            // A domain only a dry run added has no aliases yet (and the directory does not know it).
            let existing = plannedDomains.contains(domain) ? [] : try await directory.aliases(domain: domain)
            aliases[domain] = Dictionary(existing.map { ($0.source, $0.targets) }, uniquingKeysWith: { first, _ in first })
        }
        return aliases[domain]?[key] ?? []
    }

    /// Creates an alias that has no targets yet (in a dry run: remembers it). All targets go in one
    /// directory transaction: the alias is created whole or not at all.
    mutating func addAlias(_ source: String, key: String, domain: String, targets: [String]) async throws {
        if !dryRun { try await console.addAlias(as: principal, source: source, targets: targets) }
        aliases[domain, default: [:]][key] = targets
    }
}
