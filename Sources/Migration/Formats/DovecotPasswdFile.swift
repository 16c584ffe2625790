/// A Dovecot passwd-file: `user:password:uid:gid:gecos:home:shell:extra_fields`
/// (Dovecot 2.3 "Passwd-file", doc.dovecot.org/2.3/configuration_manual/authentication/passwd_file/).
///
/// Fields after the password may be missing; empty lines and lines starting with `#` are skipped;
/// `extra_fields` is a space-separated list of `key=value` (or bare `key`, e.g. `nopassword`) fields.
public struct DovecotPasswdFile: Sendable, Hashable {
    public var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        /// The user name as written (`user` or `user@domain`).
        public var user: String
        /// `nil` when the field is empty (a userdb-only file, or a user who cannot log in with a password).
        public var password: PasswordText?
        public var uid: String?
        public var gid: String?
        public var gecos: String?
        public var home: String?
        public var shell: String?
        /// The extra fields in file order: key, value (`nil` for a bare key).
        public var extraFields: [ExtraField]
        public var line: Int
    }

    public struct ExtraField: Sendable, Hashable {
        public var key: String
        public var value: String?
    }

    /// Parses the file. `defaultScheme` is Dovecot's `default_pass_scheme` for passwords written without
    /// `{SCHEME}` (reported, since the import then states a scheme the file did not).
    public static func parse(_ bytes: [UInt8], defaultScheme: String = "CRYPT") -> MigrationParse<DovecotPasswdFile> {
        var log = ProblemLog()
        var lines = TextLines(bytes)
        var result = DovecotPasswdFile(entries: [])
        var seen: [String: Int] = [:]
        while let (number, text) = lines.next() {
            guard let text else {
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                continue
            }
            if text.allSatisfy({ $0 == " " || $0 == "\t" }) || text.hasPrefix("#") { continue }
            // Seven ":"-separated fields at most; the rest of the line is the extra fields, which may hold ":".
            let fields = text.split(separator: ":", maxSplits: 7, omittingEmptySubsequences: false)
            let user = fields[0]
            guard !user.isEmpty, !user.contains(where: { $0 == " " || $0 == "\t" }), !ASCII.hasControl(text) else {
                log.add(number, "no user name, or a user name with spaces or control characters: skipped")
                continue
            }
            func field(_ index: Int) -> String? {
                index < fields.count && !fields[index].isEmpty ? String(fields[index]) : nil
            }
            var password: PasswordText?
            if let raw = field(1) {
                guard let parsed = PasswordText.parse(raw, defaultScheme: defaultScheme) else {
                    log.add(number, "user \(user): password field has a broken {SCHEME}: skipped")
                    continue
                }
                if parsed.schemeImplied {
                    log.add(number, "user \(user): password has no {SCHEME}, taken as {\(defaultScheme)}")
                }
                password = parsed
            }
            if let earlier = seen[user.lowercased()] {
                log.add(number, "user \(user) already defined at line \(earlier): skipped (Dovecot uses the first)")
                continue
            }
            seen[user.lowercased()] = number
            let extra = (field(7) ?? "").split(separator: " ").map { item in
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return ExtraField(key: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : nil)
            }
            result.entries.append(
                Entry(
                    user: String(user), password: password, uid: field(2), gid: field(3), gecos: field(4), home: field(5),
                    shell: field(6), extraFields: extra, line: number))
        }
        return MigrationParse(value: result, problems: log.all)
    }
}
