import Admin

/// The console's navigation: only the sections the principal's role may use (`Principal.may`).
/// Hiding a link is a courtesy; every page and action is checked again by `AdminConsole`.
enum Navigation {
    struct Section: Sendable {
        var id: String
        var label: String
        var path: String
        var permission: Permission
    }

    static let sections: [Section] = [
        .init(id: "dashboard", label: "Dashboard", path: "/admin", permission: .viewDashboard),
        .init(id: "domains", label: "Domains", path: "/admin/domains", permission: .manageDomains),
        .init(id: "accounts", label: "Accounts", path: "/admin/accounts", permission: .viewAccounts),
        .init(id: "aliases", label: "Aliases", path: "/admin/aliases", permission: .manageAliases),
        .init(id: "lists", label: "Lists", path: "/admin/lists", permission: .manageLists),
        .init(id: "policies", label: "Policies", path: "/admin/policies", permission: .viewPolicies),
        .init(id: "queue", label: "Queue", path: "/admin/queue", permission: .manageQueue),
        .init(id: "quarantine", label: "Quarantine", path: "/admin/quarantine", permission: .manageQuarantine),
        .init(id: "filters", label: "Filter settings", path: "/admin/filters", permission: .manageFilters),
        .init(id: "abuse", label: "Abuse", path: "/admin/abuse", permission: .manageAbuse),
        .init(id: "dkim", label: "DKIM keys", path: "/admin/dkim", permission: .manageDKIM),
        .init(id: "dns", label: "DNS records", path: "/admin/dns", permission: .viewDNSRecords),
        .init(id: "reports", label: "Reports", path: "/admin/reports", permission: .viewReports),
        .init(id: "logins", label: "Login log", path: "/admin/logins", permission: .viewLoginLog),
        .init(id: "audit", label: "Audit log", path: "/admin/audit", permission: .viewAudit),
        .init(id: "admins", label: "Administrators", path: "/admin/admins", permission: .manageAdmins),
    ]

    /// The links for `principal`, `current` marked (`aria-current="page"`).
    static func items(for principal: Principal, current: String) -> [[String: Any]] {
        if case .user = principal.identity {
            return [["label": "My account", "path": "/admin/me", "current": current == "me"]]
        }
        // Every administrator looks after their own second factor.
        return sections.filter { principal.may($0.permission) }.map {
            ["label": $0.label, "path": $0.path, "current": $0.id == current]
        } + [["label": "My security", "path": "/admin/security", "current": current == "security"]]
    }

    /// Who is logged in, for the header.
    static func who(_ principal: Principal) -> [String: Any] {
        switch principal.identity {
        case .administrator(let admin):
            [
                "name": admin.displayName.isEmpty ? admin.login : admin.displayName, "role": roleLabel(admin.role),
                "link": "/admin/security",
            ]
        case .user(let account):
            [
                "name": account.displayName.isEmpty ? account.address : account.displayName, "role": "Mail user",
                "link": "/admin/me",
            ]
        case .console(let unixUser):
            ["name": unixUser, "role": "Command line"]
        }
    }

    static func roleLabel(_ role: AdminRole) -> String {
        switch role {
        case .superadmin: "Superadmin"
        case .domainAdmin: "Domain admin"
        case .helpdesk: "Helpdesk"
        }
    }

    /// Whether the principal is a mail user (self-service only).
    static func isUser(_ principal: Principal) -> Bool {
        if case .user = principal.identity { return true }
        return false
    }
}
