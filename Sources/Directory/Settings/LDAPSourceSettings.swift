import Core
import LDAP

/// One `[[directory.ldap]]` table: a directory server set and the mail domains it answers for
/// (docs/ldap.md).
public struct LDAPSourceSettings: Sendable, Equatable {
    /// How logins are checked.
    public enum AuthMode: String, Sendable, CaseIterable {
        /// Bind as the user's entry: the password never reaches Posta's database.
        case bind
        /// Read the entry's password hash with the service account and verify it here.
        case compare
    }

    /// RFC 4511 §4.5.1.2.
    public enum Scope: String, Sendable, CaseIterable {
        case base, one, sub
    }

    /// `urls`: `ldap://` or `ldaps://` servers, tried in order.
    public var urls: [String]
    /// `start_tls`: StartTLS on `ldap://` URLs (default false).
    public var startTLS: Bool
    /// `ca_file`: trust anchors for the servers' certificates (the system's when absent).
    public var caFile: String?
    /// `bind_dn` and `bind_password_file`: the service account (anonymous when absent).
    public var bindDN: String?
    public var bindPasswordFile: String?
    /// `base` and `scope`: where entries are searched.
    public var base: String
    public var scope: Scope
    /// `domains`: the mail domains whose accounts, aliases and groups this directory holds.
    public var domains: [String]
    /// `preset` and the mapping overrides.
    public var preset: LDAPMapping.Preset
    public var mapping: LDAPMapping
    /// `auth`: bind (default) or compare.
    public var auth: AuthMode
    /// `timeout`: connect and request time limit (default 5s).
    public var timeout: ConfigDuration
    /// `cache_ttl`: how long answers are kept (default 60s; 0: no cache).
    public var cacheTTL: ConfigDuration
    /// `negative_cache_ttl`: how long "no such entry" is kept (default 10s).
    public var negativeCacheTTL: ConfigDuration
    /// `connections`: pool size per directory (default 4).
    public var connections: Int
    /// `allow_plaintext`: permit `ldap://` to a host other than loopback without StartTLS
    /// (passwords and the service account's secret would cross the network in the clear).
    public var allowPlaintext: Bool

    public init(urls: [String], base: String, domains: [String], preset: LDAPMapping.Preset = .inetOrgPerson) {
        self.urls = urls
        self.base = base
        self.domains = domains
        self.preset = preset
        mapping = LDAPMapping(preset: preset)
        startTLS = false
        scope = .sub
        auth = .bind
        timeout = .seconds(5)
        cacheTTL = .seconds(60)
        negativeCacheTTL = .seconds(10)
        connections = 4
        allowPlaintext = false
    }

    static let mappingKeys = [
        "user_filter", "mail_attribute", "alias_filter", "forward_filter", "forward_attribute", "group_filter",
        "member_attributes", "member_address_attributes", "quota_attribute", "enabled_attribute", "enabled_values",
        "enabled_when_missing",
        "home_attribute", "id_attribute", "password_attribute",
    ]
    static let keys =
        [
            "urls", "start_tls", "ca_file", "bind_dn", "bind_password_file", "base", "scope", "domains", "preset", "auth",
            "timeout", "cache_ttl", "negative_cache_ttl", "connections", "allow_plaintext",
        ] + mappingKeys
}

/// `[directory]`: where accounts come from besides the SQL database.
public struct DirectorySettings: Sendable, Equatable {
    /// `[[directory.ldap]]` (or one `[directory.ldap]` table).
    public var ldap: [LDAPSourceSettings]

    public init(ldap: [LDAPSourceSettings]) {
        self.ldap = ldap
    }

    /// No LDAP directory.
    public init() {
        ldap = []
    }
}

extension PostaConfig {
    /// `[directory]`.
    public var directory: DirectorySettings {
        get { sections[DirectorySettings.self] }
        set { sections[DirectorySettings.self] = newValue }
    }
}

extension DirectorySettings: ConfigSection {
    package static let name = "directory"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> DirectorySettings
    {
        reader.checkKeys(entries, at: path, allowed: ["ldap"])
        guard let node = ConfigReader.value("ldap", in: entries) else { return DirectorySettings() }
        let ldapPath = path.appending("ldap")
        var tables: [(ConfigReader.Entries, ConfigKeyPath)] = []
        switch node {
        case .table(let table): tables = [(table, ldapPath)]
        case .array(let items):
            for (index, item) in items.enumerated() {
                guard case .table(let table) = item else {
                    reader.wrongType(ldapPath.appending(index: index), item, expected: "a table")
                    continue
                }
                tables.append((table, ldapPath.appending(index: index)))
            }
        default:
            reader.wrongType(ldapPath, node, expected: "a table ([directory.ldap]) or tables ([[directory.ldap]])")
        }
        var settings = DirectorySettings()
        var claimed: Set<String> = []
        for (table, tablePath) in tables {
            guard let source = LDAPSourceSettings.decode(table, at: tablePath, reader: &reader) else { continue }
            for domain in source.domains where !claimed.insert(domain).inserted {
                reader.report(
                    .invalidValue, at: tablePath.appending("domains"),
                    message: "the domain \(domain) is named by two [[directory.ldap]] tables", expected: "each domain once")
            }
            settings.ldap.append(source)
        }
        return settings
    }
}

extension LDAPSourceSettings {
    /// Decodes one table; nil (with the errors reported) when a required key is missing.
    static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> LDAPSourceSettings?
    {
        reader.checkKeys(entries, at: path, allowed: keys)
        let urlForm = "an array of ldap:// or ldaps:// URLs"
        let urls = reader.strings("urls", in: entries, at: path, expected: urlForm) { (try? LDAPURL(parsing: $0)) != nil }
        let domains = reader.domains("domains", in: entries, at: path)
        let base = reader.string("base", in: entries, at: path, expected: "a DN, e.g. \"dc=example,dc=org\"")
        if urls.isEmpty { reader.missing("urls", in: path, expected: urlForm) }
        if domains.isEmpty { reader.missing("domains", in: path, expected: "an array of domain names") }
        if base == nil { reader.missing("base", in: path, expected: "a DN") }
        guard !urls.isEmpty, !domains.isEmpty, let base else { return nil }
        let preset = reader.choice("preset", in: entries, at: path, allowed: LDAPMapping.Preset.allCases) ?? .inetOrgPerson
        var settings = LDAPSourceSettings(urls: urls, base: base, domains: domains, preset: preset)
        if let v = reader.boolean("start_tls", in: entries, at: path) { settings.startTLS = v }
        settings.caFile = reader.absolutePath("ca_file", in: entries, at: path, expected: "an absolute path to a PEM file")
        settings.bindDN = reader.string("bind_dn", in: entries, at: path, expected: "a DN")
        settings.bindPasswordFile = reader.absolutePath(
            "bind_password_file", in: entries, at: path, expected: "an absolute path to a file holding the password")
        if settings.bindDN != nil && settings.bindPasswordFile == nil {
            reader.missing("bind_password_file", in: path, expected: "an absolute path (bind_dn is set)")
        }
        if let v = reader.choice("scope", in: entries, at: path, allowed: Scope.allCases) { settings.scope = v }
        if let v = reader.choice("auth", in: entries, at: path, allowed: AuthMode.allCases) { settings.auth = v }
        if let v = reader.duration("timeout", in: entries, at: path, range: 1...300) { settings.timeout = v }
        if let v = reader.duration("cache_ttl", in: entries, at: path, range: 0...86400) { settings.cacheTTL = v }
        if let v = reader.duration("negative_cache_ttl", in: entries, at: path, range: 0...86400) {
            settings.negativeCacheTTL = v
        }
        if let v = reader.integer("connections", in: entries, at: path, range: 1...64) { settings.connections = v }
        if let v = reader.boolean("allow_plaintext", in: entries, at: path) { settings.allowPlaintext = v }
        settings.mapping.decodeOverrides(entries, at: path, reader: &reader)
        if settings.bindDN?.isEmpty == true {
            reader.invalid(path.appending("bind_dn"), .string(""), expected: "a DN (leave bind_dn out to bind anonymously)")
        }
        let clear = urls.compactMap { try? LDAPURL(parsing: $0) }.filter { !$0.isTLS && !$0.isLoopback }
        if let url = clear.first, !settings.startTLS, !settings.allowPlaintext {
            reader.report(
                .invalidValue, at: path.appending("urls"),
                message: "\(url.host) is reached over ldap:// without TLS: passwords would cross the network in the clear",
                expected: "ldaps://, start_tls = true, or allow_plaintext = true")
        }
        if settings.mapping.mailAttribute == nil && domains.count > 1 {
            reader.report(
                .invalidValue, at: path.appending("domains"),
                message: "without mail_attribute an account's address is uid@domain: one domain only",
                expected: "one domain, or a mail_attribute")
        }
        return settings
    }
}

extension LDAPMapping {
    /// Applies the `*_filter` and `*_attribute(s)` keys of a `[[directory.ldap]]` table; filters
    /// must parse as RFC 4515 templates, an empty string turns a lookup off.
    mutating func decodeOverrides(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader) {
        let filterForm = "an RFC 4515 filter, e.g. \"(&(objectClass=inetOrgPerson)(mail=%s))\", or \"\" for none"
        func filter(_ key: String) -> String?? {
            guard let text = reader.string(key, in: entries, at: path, expected: filterForm) else { return nil }
            if text.isEmpty { return .some(nil) }
            do {
                _ = try LDAPFilterTemplate(parsing: text)
            } catch {
                reader.invalid(path.appending(key), .string(text), expected: filterForm, reason: "\(error)")
                return nil
            }
            return .some(text)
        }
        let attributeForm = "an attribute name, or \"\" for none"
        func attribute(_ key: String) -> String?? {
            guard let text = reader.string(key, in: entries, at: path, expected: attributeForm) else { return nil }
            guard text.isEmpty || Self.isAttributeName(text) else {
                reader.invalid(path.appending(key), .string(text), expected: attributeForm)
                return nil
            }
            return .some(text.isEmpty ? nil : text)
        }
        func attributes(_ key: String) -> [String]? {
            guard ConfigReader.value(key, in: entries) != nil else { return nil }
            return reader.strings(
                key, in: entries, at: path, expected: "an array of attribute names", valid: Self.isAttributeName)
        }
        if let v = filter("user_filter") {
            if let v { userFilter = v } else { reader.invalid(path.appending("user_filter"), .string(""), expected: filterForm) }
        }
        if let v = filter("alias_filter") { aliasFilter = v }
        if let v = filter("forward_filter") { forwardFilter = v }
        if let v = filter("group_filter") { groupFilter = v }
        if let v = attribute("mail_attribute") { mailAttribute = v }
        if let v = attribute("forward_attribute") { forwardAttribute = v }
        if let v = attribute("quota_attribute") { quotaAttribute = v }
        if let v = attribute("enabled_attribute") { enabledAttribute = v }
        if let v = attribute("home_attribute") { homeAttribute = v }
        if let v = attribute("id_attribute"), let v { idAttribute = v }
        if let v = attribute("password_attribute"), let v { passwordAttribute = v }
        if let v = attributes("member_attributes") { memberAttributes = v }
        if let v = attributes("member_address_attributes") { memberAddressAttributes = v }
        if let v = reader.boolean("enabled_when_missing", in: entries, at: path) { enabledWhenMissing = v }
        if ConfigReader.value("enabled_values", in: entries) != nil {
            enabledValues = reader.strings("enabled_values", in: entries, at: path, expected: "an array of strings") {
                !$0.isEmpty
            }
        }
    }

    /// RFC 4512 §1.4: a `descr` (a letter, then letters, digits and hyphens) or a numeric OID.
    static func isAttributeName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if isDigit(first) { return bytes.allSatisfy { isDigit($0) || $0 == 0x2E } }
        return isLetter(first) && bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D }
    }
}
