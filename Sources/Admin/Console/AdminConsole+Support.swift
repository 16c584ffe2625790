import Core
import Directory

extension AdminConsole {
    /// Seconds since 1970, from the authenticator's clock (tests inject a manual one).
    var now: Int64 { authenticator.clock.unixTime }

    /// The lower-case domain of an address, or `AdminError.invalid`.
    static func domain(of address: String) throws(AdminError) -> String {
        do {
            return try MailAddress(parsing: address).domain.lowercased()
        } catch {
            throw .invalid(DirectoryError.invalidAddress(address, error).description)
        }
    }

    /// Checks `permission` for the account `address` and returns it. Outside the principal's
    /// domains this is `AccessDenied` (before anything is read), so the answer never depends on
    /// whether the account exists there.
    func scopedAccount(_ principal: Principal, _ permission: Permission, _ address: String) async throws -> Account {
        let domain = try Self.domain(of: address)
        try principal.require(permission, in: domain)
        guard let account = try await directory.account(address) else { throw AdminError.notFound(address) }
        return account
    }

    /// Turns the directory's refusals into `AdminError`s the front ends map to statuses.
    static func translate<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as DirectoryError {
            throw AdminError(error)
        }
    }
}

extension AdminError {
    init(_ error: DirectoryError) {
        switch error {
        case .unknownDomain, .unknownAccount: self = .notFound(error.description)
        case .duplicateDomain, .duplicateAccount, .domainNotEmpty: self = .conflict(error.description)
        default: self = .invalid(error.description)
        }
    }
}

extension AdminConsole {
    /// A domain name as a person or a client gave it, normalized (lower case; a trailing dot,
    /// as zone files write absolute names, is the same domain); invalid when it is no name.
    static func domainName(_ text: String) throws(AdminError) -> String {
        do {
            return try DomainName.normalize(text.hasSuffix(".") ? String(text.dropLast()) : text)
        } catch {
            throw .invalid("not a domain name: \(text.prefix(253))")
        }
    }
}
