/// The result of `posta import accounts` and `posta import postfix` (or what they would do, in a dry run): one
/// entry per account, domain or alias the input named, each created, already there or skipped with its reason,
/// and the lines the parsers did not take as written.
public struct DirectoryImportSummary: Sendable, Hashable, Codable {
    /// What became of one entry.
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Created now (or, in a dry run, would be).
        case created
        /// Present already with the same name (and, for an alias, the same targets): left as it is.
        case exists
        /// Not imported; `reason` says why.
        case skipped
    }

    /// What an entry is.
    public enum Kind: String, Sendable, Hashable, Codable {
        case account, domain, alias
    }

    public struct Entry: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The input file as given on the command line.
        public var file: String
        /// Its 1-based line, or 0 when the entry comes from no line (a domain `--domain-create` adds).
        public var line: Int
        public var kind: Kind
        /// The address, domain name or alias source (`@domain` for a catch-all).
        public var name: String
        public var outcome: Outcome
        /// Why it was skipped, or what was not taken with it (a quota rule, further addresses).
        public var reason: String?

        public var description: String {
            let place = line > 0 ? "\(file):\(line)" : file
            return "\(place): \(kind.rawValue) \(name) \(outcome.rawValue)" + (reason.map { ": \($0)" } ?? "")
        }
    }

    /// A line a parser skipped or did not read as written (`MigrationProblem`, with its file).
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String

        public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
    }

    public var dryRun: Bool
    public private(set) var entries: [Entry] = []
    public private(set) var problems: [Problem] = []
    public private(set) var created = 0
    public private(set) var exists = 0
    public private(set) var skipped = 0

    public init(dryRun: Bool) { self.dryRun = dryRun }

    mutating func add(_ entry: Entry) {
        entries.append(entry)
        switch entry.outcome {
        case .created: created += 1
        case .exists: exists += 1
        case .skipped: skipped += 1
        }
    }

    mutating func add(
        file: String, line: Int, _ kind: Kind, _ name: String, _ outcome: Outcome, reason: String? = nil
    ) {
        add(Entry(file: file, line: line, kind: kind, name: name, outcome: outcome, reason: reason))
    }

    mutating func add(_ parsed: [MigrationProblem], file: String) {
        problems += parsed.map { Problem(file: file, line: $0.line, reason: $0.reason) }
    }

    /// The summary as text: every entry with its outcome (and reason), each parser problem, then the counts.
    public var lines: [String] {
        var out: [String] = []
        for entry in entries {
            guard dryRun, entry.outcome == .created else {
                out.append(entry.description)
                continue
            }
            let place = entry.line > 0 ? "\(entry.file):\(entry.line)" : entry.file
            out.append(
                "\(place): \(entry.kind.rawValue) \(entry.name) would be created" + (entry.reason.map { ": \($0)" } ?? ""))
        }
        for problem in problems { out.append(problem.description) }
        out.append(
            "total: \(dryRun ? "would create" : "created") \(created), exists \(exists), skipped \(skipped)"
                + (problems.isEmpty ? "" : "; \(problems.count) line(s) not read as written (listed above)"))
        return out
    }
}
