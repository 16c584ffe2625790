import Admin
import Core
import Directory

/// `posta import accounts`: Posta accounts from a Dovecot passwd-file or an LDIF export, each keeping its
/// `{SCHEME}` password hash as written (users log in with the passwords they had).
///
/// Rules, entry by entry, in file order:
/// - an entry whose user is not an address (`local@domain`), that names an address an earlier entry named, that has
///   no password, or whose password is not one Posta verifies (`StoredPassword`: Dovecot and OpenLDAP schemes) is
///   skipped with its line and reason;
/// - an account that exists with the address is reported `exists` and not changed (so a second run creates nothing);
/// - the domain must be local, or `createDomains` adds it first (`domain.add` in the audit log);
/// - the account is created through `AdminConsole.createAccount(as:address:hash:...)`: one directory transaction
///   (created whole or not at all), its mailboxes, an `account.create` audit row.
///
/// A passwd-file's `userdb_quota_rule=*:storage=…` becomes the account's quota (``DovecotQuotaRule``); the GECOS
/// field, or LDIF's `displayName`/`cn`, its display name. A dry run checks the same and writes nothing.
public struct AccountImporter: Sendable {
    /// The input formats.
    public enum Format: String, Sendable, CaseIterable {
        /// Dovecot passwd-file (`user:{SCHEME}hash:uid:gid:gecos:home:shell:extra_fields`).
        case passwdFile = "passwd-file"
        /// LDIF content records of `inetOrgPerson` entries (`mail`, `userPassword`).
        case ldif
    }

    public struct Options: Sendable {
        public var format: Format
        /// Add domains that are not local yet instead of skipping their accounts.
        public var createDomains: Bool
        public var dryRun: Bool
        /// The file's name as the summary shows it.
        public var fileName: String

        public init(format: Format, createDomains: Bool = false, dryRun: Bool = false, fileName: String) {
            self.format = format
            self.createDomains = createDomains
            self.dryRun = dryRun
            self.fileName = fileName
        }
    }

    /// One account as the input describes it, before the directory is asked.
    struct Candidate {
        var line: Int
        var user: String
        var password: PasswordText?
        /// Why there is no usable password, when the parser already knows (an LDIF scheme it was told is unknown).
        var passwordProblem: String?
        var displayName: String
        var quotaBytes: Int64
        /// What the entry held that the account does not take.
        var notes: [String]
        /// Why the entry is no account at all (an LDIF entry without `mail`); `user` is then its DN.
        var skipReason: String?
    }

    let console: AdminConsole
    let principal: Principal

    /// Imports as `principal` (the CLI's `cli:<unix user>`), which must be allowed to create accounts (and domains,
    /// for `createDomains`).
    public init(console: AdminConsole, principal: Principal) {
        self.console = console
        self.principal = principal
    }

    /// Reads `bytes` in `options.format` and imports its accounts.
    public func run(_ bytes: [UInt8], options: Options) async throws -> DirectoryImportSummary {
        var summary = DirectoryImportSummary(dryRun: options.dryRun)
        let candidates: [Candidate]
        switch options.format {
        case .passwdFile: candidates = Self.candidates(passwdFile: bytes, file: options.fileName, into: &summary)
        case .ldif: candidates = Self.candidates(ldif: bytes, file: options.fileName, into: &summary)
        }
        var context = DirectoryImportContext(console: console, principal: principal, dryRun: options.dryRun)
        var seen: [String: Int] = [:]
        for candidate in candidates {
            try await importAccount(
                candidate, file: options.fileName, createDomains: options.createDomains, seen: &seen, context: &context,
                into: &summary)
        }
        return summary
    }

    private func importAccount(
        _ candidate: Candidate, file: String, createDomains: Bool, seen: inout [String: Int],
        context: inout DirectoryImportContext, into summary: inout DirectoryImportSummary
    ) async throws {
        func skip(_ name: String, _ reason: String) {
            summary.add(file: file, line: candidate.line, .account, name, .skipped, reason: reason)
        }
        if let reason = candidate.skipReason { return skip(candidate.user, reason) }
        guard let address = try? MailAddress(parsing: candidate.user) else {
            return skip(candidate.user, "\(ASCII.quoted(candidate.user)) is not an address (local@domain)")
        }
        let name = address.description
        if let earlier = seen[address.key] { return skip(name, "the address is already taken by line \(earlier)") }
        seen[address.key] = candidate.line
        if try await context.directory.account(name) != nil {
            return summary.add(file: file, line: candidate.line, .account, name, .exists)
        }
        guard let text = candidate.password else {
            return skip(name, candidate.passwordProblem ?? "no password: an account needs one to log in")
        }
        if let unknown = text.unknownScheme(isKnown: { PasswordScheme(name: $0) != nil }) { return skip(name, unknown) }
        let hash: StoredPassword
        do { hash = try StoredPassword(text.description) } catch {
            return skip(name, "password {\(text.scheme)} is not a valid hash of that scheme: \(error)")
        }
        if !(try await context.isLocal(address.domain)) {
            guard createDomains else {
                return skip(name, "domain \(address.domain) is not local (--domain-create adds it)")
            }
            do {
                try await context.addDomain(address.domain)
                summary.add(file: file, line: 0, .domain, address.domain, .created, reason: "for line \(candidate.line)")
            } catch {
                return skip(name, "domain \(address.domain) could not be added: \(error)")
            }
        }
        let note = candidate.notes.isEmpty ? nil : candidate.notes.joined(separator: "; ")
        if context.dryRun {
            return summary.add(file: file, line: candidate.line, .account, name, .created, reason: note)
        }
        do {
            _ = try await console.createAccount(
                as: principal, address: name, hash: hash, displayName: candidate.displayName,
                quotaBytes: candidate.quotaBytes)
            summary.add(file: file, line: candidate.line, .account, name, .created, reason: note)
        } catch {
            // The directory row is one transaction; the mailboxes come after it. An account that exists now has
            // only its mailboxes missing, which its first login (or `posta import maildir`) makes.
            if try await context.directory.account(name) != nil {
                summary.add(
                    file: file, line: candidate.line, .account, name, .created,
                    reason: "its mailboxes were not made (they are at its first login): \(error)")
            } else {
                skip(name, "\(error)")
            }
        }
    }

    /// The passwd-file's entries as candidates; the parser's problems go into the summary.
    static func candidates(passwdFile bytes: [UInt8], file: String, into summary: inout DirectoryImportSummary)
        -> [Candidate]
    {
        let parsed = DovecotPasswdFile.parse(bytes)
        summary.add(parsed.problems, file: file)
        return parsed.value.entries.map { entry in
            var quota: Int64 = 0
            var notes: [String] = []
            for field in entry.extraFields where DovecotQuotaRule.fieldNames.contains(field.key.lowercased()) {
                if let value = field.value, let bytes = DovecotQuotaRule.storageBytes(value) {
                    quota = bytes
                } else {
                    notes.append("\(field.key)=\(field.value ?? "") not taken (only *:storage= and *:bytes= are)")
                }
            }
            if entry.extraFields.contains(where: { $0.key.lowercased() == "nopassword" }) {
                notes.append("nopassword ignored: Posta checks the password")
            }
            return Candidate(
                line: entry.line, user: entry.user, password: entry.password, displayName: entry.gecos ?? "",
                quotaBytes: quota, notes: notes)
        }
    }

    /// The LDIF's `inetOrgPerson` entries as candidates; entries without `mail` are skipped.
    static func candidates(ldif bytes: [UInt8], file: String, into summary: inout DirectoryImportSummary) -> [Candidate] {
        let parsed = LDIF.parse(bytes)
        summary.add(parsed.problems, file: file)
        var result: [Candidate] = []
        for entry in parsed.value.entries {
            // Every scheme is let through here: the importer asks Directory, and reports an unknown one as the skip.
            let mapped = LDIFAccount.from(entry, isKnownScheme: { _ in true })
            guard let account = mapped.value else {
                result.append(
                    Candidate(
                        line: entry.line, user: entry.dn, displayName: "", quotaBytes: 0, notes: [],
                        skipReason: "no mail attribute: not an account"))
                continue
            }
            var notes = mapped.problems.map(\.reason)
            let passwordProblem = notes.isEmpty ? "no userPassword" : notes.joined(separator: "; ")
            if !account.otherAddresses.isEmpty {
                notes.append("further mail values not imported: \(account.otherAddresses.joined(separator: ", "))")
            }
            result.append(
                Candidate(
                    line: entry.line, user: account.address, password: account.password,
                    passwordProblem: account.password == nil ? passwordProblem : nil,
                    displayName: account.displayName ?? "", quotaBytes: 0, notes: notes))
        }
        return result
    }
}
