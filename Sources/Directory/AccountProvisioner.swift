/// Makes what an account needs besides its directory record: its mail store. The directory
/// calls it for records it creates itself (LDAP accounts on first sight); the store implements it.
public protocol AccountProvisioner: Sendable {
    /// Idempotent: creates only what is missing.
    func provision(account: Account) async throws
}
