extension AdminRole {
    /// The permissions the role grants (docs/admin.md, "Roles"). A domain admin's and a limited
    /// helpdesk's are further limited to their domains (`Principal.may(_:in:)`).
    public var grants: Set<Permission> {
        switch self {
        case .superadmin:
            Set(Permission.allCases)
        case .domainAdmin:
            // Everything inside their domains; never the site-wide things. `viewAudit` shows a
            // domain admin their own actions only (`AdminConsole.auditLog`); `manageAbuse` and
            // `manageDKIM` reach the accounts and keys of their domains only (a network on the
            // abuse whitelist is site-wide). `viewReports` shows the reports about their domains;
            // importing and sending reports is site-wide work (`manageReports`).
            Set(Permission.allCases).subtracting([
                .manageDomains, .viewPolicies, .managePolicies, .manageAdmins, .manageReports,
            ])
        case .helpdesk:
            [
                .viewDashboard, .viewAccounts, .createAccounts, .resetPasswords, .enableAccounts, .setQuotas, .viewLoginLog,
                .liftThrottle,
            ]
        }
    }
}
