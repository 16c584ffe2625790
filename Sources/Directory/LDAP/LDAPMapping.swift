/// How a directory's entries become Posta's accounts, aliases and groups: the search filters
/// (RFC 4515 templates with `%s` the whole address or login, `%u` its local part, `%d` its
/// domain) and the attributes read. A site picks a `Preset` and overrides a field or two.
public struct LDAPMapping: Sendable, Equatable {
    /// Finds the account for a login or an address.
    public var userFilter: String
    /// The account's address; nil: `local part @ the first domain` (POSIX accounts have no mail).
    public var mailAttribute: String?
    /// Finds the account an alias address delivers to (that entry's address).
    public var aliasFilter: String?
    /// Finds entries that forward an address; their `forwardAttribute` values are the targets.
    public var forwardFilter: String?
    /// Addresses an entry forwards to (on forward entries, and on accounts as an extra copy).
    public var forwardAttribute: String?
    /// Finds a group (distribution address) by its address.
    public var groupFilter: String?
    /// A group's member attributes holding DNs (each member's address is read from its entry).
    public var memberAttributes: [String]
    /// A group's member attributes holding addresses.
    public var memberAddressAttributes: [String]
    /// The storage quota in bytes.
    public var quotaAttribute: String?
    /// Whether the account may log in and receive mail.
    public var enabledAttribute: String?
    /// What an entry without `enabledAttribute` is (default true: enabled).
    public var enabledWhenMissing: Bool
    /// The values of `enabledAttribute` that mean enabled (compared case-insensitively).
    public var enabledValues: [String]
    /// The home or mail folder the directory names (shown by `posta directory test`; Posta keeps
    /// mail in its own store).
    public var homeAttribute: String?
    /// The stable id that keys the account's mail (survives renames, RFC 4530).
    public var idAttribute: String
    /// The password hash read in `compare` mode.
    public var passwordAttribute: String

    /// The schemas the presets cover.
    public enum Preset: String, Sendable, CaseIterable {
        /// `inetOrgPerson` with `mail` (RFC 2798); groups are groupOfNames/groupOfUniqueNames,
        /// dynamic groups (groupOfURLs) and nisMailAlias.
        case inetOrgPerson = "inetorgperson"
        /// The postfix-book schema: `mail`, `mailAlias`, `mailEnabled`, `mailQuota`.
        case postfixBook = "postfix-book"
        /// The qmail-ldap schema: `mailAlternateAddress`, `mailForwardingAddress`, `accountStatus`.
        case qmail
        /// posixAccount as Dovecot's LDAP defaults use: login by `uid`.
        case posix
    }

    /// Groups of the standard object classes, with `mail` as their address.
    private static let standardGroups =
        "(&(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=groupOfURLs)(objectClass=nisMailAlias))(mail=%s))"

    public init(preset: Preset) {
        memberAttributes = ["member", "uniqueMember"]
        memberAddressAttributes = ["rfc822MailMember"]
        groupFilter = Self.standardGroups
        enabledValues = []
        enabledWhenMissing = true
        idAttribute = "entryUUID"
        passwordAttribute = "userPassword"
        mailAttribute = "mail"
        switch preset {
        case .inetOrgPerson:
            userFilter = "(&(objectClass=inetOrgPerson)(mail=%s))"
        case .postfixBook:
            userFilter = "(&(objectClass=PostfixBookMailAccount)(mail=%s))"
            aliasFilter = "(&(objectClass=PostfixBookMailAccount)(mailAlias=%s))"
            forwardFilter = "(&(objectClass=PostfixBookMailForward)(|(mail=%s)(mailAlias=%s)))"
            forwardAttribute = "mailForwardingAddress"
            quotaAttribute = "mailQuota"
            enabledAttribute = "mailEnabled"
            enabledValues = ["TRUE"]
            homeAttribute = "mailHomeDirectory"
        case .qmail:
            userFilter = "(&(objectClass=qmailUser)(mail=%s))"
            aliasFilter = "(&(objectClass=qmailUser)(mailAlternateAddress=%s))"
            forwardAttribute = "mailForwardingAddress"
            quotaAttribute = "mailQuotaSize"
            enabledAttribute = "accountStatus"
            enabledValues = ["active"]
            homeAttribute = "mailMessageStore"
        case .posix:
            userFilter = "(&(objectClass=posixAccount)(uid=%u))"
            mailAttribute = nil
            homeAttribute = "homeDirectory"
        }
    }
}
