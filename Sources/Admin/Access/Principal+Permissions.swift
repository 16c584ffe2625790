import Directory

extension Principal {
    /// The name the audit log gives this principal: `admin:<login>`, `user:<address>`, `cli:<unix user>`.
    public var actor: String {
        switch identity {
        case .administrator(let admin): "admin:\(admin.login)"
        case .user(let account): "user:\(account.address.lowercased())"
        case .console(let unixUser): "cli:\(unixUser)"
        }
    }

    /// The role the principal acts with: the CLI is a superadmin; a mail user has none.
    public var role: AdminRole? {
        switch identity {
        case .administrator(let admin): admin.role
        case .console: .superadmin
        case .user: nil
        }
    }

    /// The domains the principal may act in: nil for every domain, else the (lower-case) list,
    /// possibly empty. A mail user's is their own domain (self-service only).
    public var domainScope: Set<String>? {
        switch identity {
        case .console: return nil
        case .user(let account): return [Self.domain(of: account.address)]
        case .administrator(let admin):
            if admin.role == .superadmin { return nil }
            if admin.role == .helpdesk && admin.domains.isEmpty { return nil }
            return Set(admin.domains.map { $0.lowercased() })
        }
    }

    /// Whether the principal may do `permission`: in `domain` (lower case) when given, else at
    /// all (site-wide operations and listings, which `domainScope` then filters). A mail user has
    /// no administrative permission (self-service operations check ownership instead).
    public func may(_ permission: Permission, in domain: String? = nil) -> Bool {
        guard let role, role.grants.contains(permission) else { return false }
        guard let domain else { return true }
        return domainScope.map { $0.contains(domain.lowercased()) } ?? true
    }

    /// Throws `AccessDenied` unless `may(permission, in: domain)`.
    public func require(_ permission: Permission, in domain: String? = nil) throws(AccessDenied) {
        guard may(permission, in: domain) else { throw AccessDenied(permission, domain: domain) }
    }

    /// Throws `AccessDenied` unless the principal may act on every domain (site-wide operations
    /// such as adding a domain or changing a policy).
    func requireSiteWide(_ permission: Permission) throws(AccessDenied) {
        guard may(permission), domainScope == nil else { throw AccessDenied(permission, domain: nil) }
    }

    /// The domain part of an address, lower case.
    static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }
}
