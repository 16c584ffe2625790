import Admin
import Core
import Directory

/// `posta import postfix`: local domains and aliases from a Postfix site's `virtual_mailbox_domains` list,
/// `virtual_alias_maps` source file (virtual(5)) and local `aliases(5)` file, in that order (so an alias may be in a
/// domain the same run adds).
///
/// - Each domain becomes a local domain (`exists` when it is one already).
/// - Each virtual entry `user@domain a, b` becomes the alias `user@domain` → `a`, `b`; `@domain x` the catch-all of
///   the domain (Posta, like Postfix, uses it for addresses nothing else names). A key without `@` (`user`,
///   matched against `$myorigin`/`$mydestination`, or a domain name declaring a virtual alias domain) and a result
///   without a domain (to which Postfix appends `$myorigin`) are left out with the reason.
/// - Each aliases(5) entry `name: a, b` becomes `name@aliasDomain` → `a`, `b`; a target without `@` is a local name of
///   the same domain. Command (`|prog`), file (`/path`) and `:include:` targets are left out by the parser, which
///   reports them; an entry left with no target is skipped.
/// - An alias whose source exists with the same targets is `exists`; one with other targets is skipped and not
///   changed. Every alias is created with all its targets in one directory transaction (`alias.add` in the audit
///   log), or not at all.
public struct PostfixMapImporter: Sendable {
    /// One input file: its name as the summary shows it, and its bytes.
    public struct File: Sendable {
        public var name: String
        public var bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    public struct Input: Sendable {
        /// A `virtual_mailbox_domains` file (one domain per line, or the keys of a `domain OK` table source).
        public var virtualMailboxDomains: File?
        /// A `virtual_alias_maps` table source (the file `postmap` reads, not the `.db`).
        public var virtualAliasMaps: File?
        /// An aliases(5) file, with the domain its local names belong to.
        public var aliases: File?
        public var aliasDomain: String?

        public init(
            virtualMailboxDomains: File? = nil, virtualAliasMaps: File? = nil, aliases: File? = nil, aliasDomain: String? = nil
        ) {
            self.virtualMailboxDomains = virtualMailboxDomains
            self.virtualAliasMaps = virtualAliasMaps
            self.aliases = aliases
            self.aliasDomain = aliasDomain
        }
    }

    let console: AdminConsole
    let principal: Principal

    /// Imports as `principal` (the CLI's `cli:<unix user>`), which must be allowed to manage domains and aliases.
    public init(console: AdminConsole, principal: Principal) {
        self.console = console
        self.principal = principal
    }

    public func run(_ input: Input, dryRun: Bool) async throws -> DirectoryImportSummary {
        var summary = DirectoryImportSummary(dryRun: dryRun)
        var context = DirectoryImportContext(console: console, principal: principal, dryRun: dryRun)
        if let file = input.virtualMailboxDomains {
            try await importDomains(file, context: &context, into: &summary)
        }
        if let file = input.virtualAliasMaps {
            try await importVirtual(file, context: &context, into: &summary)
        }
        if let file = input.aliases {
            guard let domain = input.aliasDomain.flatMap({ try? DomainName.normalize($0) }) else {
                throw AdminError.invalid("aliases(5) entries need the domain of their local names (--alias-domain)")
            }
            try await importAliases(file, domain: domain, context: &context, into: &summary)
        }
        return summary
    }

    private func importDomains(
        _ file: File, context: inout DirectoryImportContext, into summary: inout DirectoryImportSummary
    ) async throws {
        let parsed = PostfixDomainList.parse(file: file.bytes)
        summary.add(parsed.problems, file: file.name)
        // The parser keeps no line per domain: each is found again by its first line.
        let lines = Self.firstLines(of: parsed.value.domains, in: file.bytes)
        for domain in parsed.value.domains {
            let line = lines[domain] ?? 0
            if try await context.isLocal(domain) {
                summary.add(file: file.name, line: line, .domain, domain, .exists)
                continue
            }
            do {
                try await context.addDomain(domain)
                summary.add(file: file.name, line: line, .domain, domain, .created)
            } catch {
                summary.add(file: file.name, line: line, .domain, domain, .skipped, reason: "\(error)")
            }
        }
    }

    private func importVirtual(
        _ file: File, context: inout DirectoryImportContext, into summary: inout DirectoryImportSummary
    ) async throws {
        let parsed = PostfixVirtualAliases.parse(file.bytes)
        summary.add(parsed.problems, file: file.name)
        for entry in parsed.value.entries {
            let source: String
            switch entry.key {
            case .address(let address): source = address.description
            case .catchAll(let domain): source = "@" + domain
            case .bareName(let name):
                let reason =
                    name.contains(".")
                    ? "a domain name as key declares a virtual alias domain (virtual(5)); add it with posta domain add"
                    : "a key without @domain matches user@$myorigin and $mydestination, not virtual domains"
                summary.add(file: file.name, line: entry.line, .alias, name, .skipped, reason: reason)
                continue
            }
            var targets: [String] = []
            var leftOut: [String] = []
            for target in entry.targets {
                if target.contains("@") { targets.append(target) } else { leftOut.append(target) }
            }
            let note =
                leftOut.isEmpty
                ? nil
                : "result(s) without a domain left out (Postfix appends $myorigin): \(leftOut.joined(separator: ", "))"
            try await importAlias(
                source, targets: targets, note: note, file: file.name, line: entry.line, context: &context, into: &summary)
        }
    }

    private func importAliases(
        _ file: File, domain: String, context: inout DirectoryImportContext, into summary: inout DirectoryImportSummary
    ) async throws {
        let parsed = PostfixAliases.parse(file.bytes)
        summary.add(parsed.problems, file: file.name)
        for entry in parsed.value.entries {
            let targets = entry.targets.map { $0.contains("@") ? $0 : "\($0)@\(domain)" }
            try await importAlias(
                "\(entry.name)@\(domain)", targets: targets, note: nil, file: file.name, line: entry.line,
                context: &context, into: &summary)
        }
    }

    /// Creates one alias with all its targets, unless it exists.
    private func importAlias(
        _ source: String, targets: [String], note: String?, file: String, line: Int,
        context: inout DirectoryImportContext, into summary: inout DirectoryImportSummary
    ) async throws {
        func add(_ outcome: DirectoryImportSummary.Outcome, _ reason: String?) {
            summary.add(file: file, line: line, .alias, source, outcome, reason: reason)
        }
        guard !targets.isEmpty else { return add(.skipped, note ?? "no target") }
        // The directory's own check (`Directory.parse`), made here too so that a dry run reports what the run would.
        for target in targets {
            do { _ = try Directory.parse(target) } catch { return add(.skipped, "target: \(error)") }
        }
        let key: String
        let domain: String
        if source.hasPrefix("@") {
            domain = String(source.dropFirst())
            key = source
        } else {
            guard let address = try? MailAddress(parsing: source) else {
                return add(.skipped, "\(ASCII.quoted(source)) is not an address")
            }
            (domain, key) = (address.domain, address.key)
        }
        guard try await context.isLocal(domain) else {
            return add(.skipped, "domain \(domain) is not local (list it in --virtual-mailbox-domains, or posta domain add)")
        }
        let existing = try await context.aliasTargets(key, domain: domain)
        if !existing.isEmpty {
            if Set(existing.map { $0.lowercased() }) == Set(targets.map { $0.lowercased() }) {
                return add(.exists, note)
            }
            return add(.skipped, "exists with other targets (\(existing.joined(separator: ", "))): not changed")
        }
        do {
            try await context.addAlias(source, key: key, domain: domain, targets: targets)
            add(.created, note)
        } catch {
            add(.skipped, "\(error)")
        }
    }

    /// The first line on which each domain is a key (compared as `DomainName.normalize` makes them).
    static func firstLines(of domains: [String], in bytes: [UInt8]) -> [String: Int] {
        var result: [String: Int] = [:]
        var lines = TextLines(bytes)
        while let (number, text) = lines.next() {
            guard let text else { continue }
            let key = text.prefix { $0 != " " && $0 != "\t" }
            guard !key.isEmpty, let domain = try? DomainName.normalize(String(key)), result[domain] == nil else { continue }
            result[domain] = number
        }
        return result.filter { domains.contains($0.key) }
    }
}
