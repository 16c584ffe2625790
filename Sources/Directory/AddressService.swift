import Core
import SQLKit

/// Addresses that belong to a service rather than to a mailbox or an alias: a mailing list's
/// posting address and its `-request`, `-owner`, `-bounces+…` companions. The directory asks its
/// services first when it resolves a recipient, and an account or alias may not take an address
/// a service owns (the service checks the other way round when it creates one).
public protocol AddressService: Sendable {
    /// What owns `address` (the whole local part, subaddress included, as the client gave it),
    /// or nil when this service does not.
    func owner(of address: MailAddress, in db: any SQLDatabase) async throws -> ServiceAddress?
}

/// An address owned by an `AddressService`, as a recipient resolves to it.
public struct ServiceAddress: Sendable, Hashable {
    /// The service's name for logs and errors ("mailing list").
    public var service: String
    /// The address the message was sent to.
    public var address: MailAddress

    public init(service: String, address: MailAddress) {
        self.service = service
        self.address = address
    }
}

extension Directory {
    /// The service that owns `address`, if any.
    static func serviceOwner(
        _ address: MailAddress, services: [any AddressService], in db: any SQLDatabase
    ) async throws -> ServiceAddress? {
        for service in services {
            if let owner = try await service.owner(of: address, in: db) { return owner }
        }
        return nil
    }

    /// Whether an account or an alias is named `key` (a services checks before taking an address).
    public static func isAccountOrAlias(_ key: String, in db: any SQLDatabase) async throws -> Bool {
        if try await account(key: key, in: db) != nil { return true }
        return !(try await aliasTargets(key, in: db)).isEmpty
    }

    /// Refuses an account or alias named like a service's address.
    func requireNotServiceAddress(_ address: MailAddress, in db: any SQLDatabase) async throws {
        if let owner = try await Self.serviceOwner(address, services: services, in: db) {
            throw DirectoryError.serviceAddress(address.description, service: owner.service)
        }
    }
}
