import Admin
import Testing

/// The role names are what the CLI takes, the database stores and the API shows.
@Test func roleNamesAreStable() {
    #expect(AdminRole.allCases.map(\.rawValue) == ["superadmin", "domain-admin", "helpdesk"])
    #expect(AdminRole(rawValue: "domain-admin") == .domainAdmin)
}
