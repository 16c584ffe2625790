import Core
import Directory
import SQLKit

/// The directory's view of the lists: a list's posting, `-owner` and `-bounces` addresses are
/// recipients (`Delivery.service`), queued for the list transport; no account or alias may take
/// them.
public struct ListAddressService: AddressService {
    public static let name = "mailing list"

    public init() {}

    public func owner(of address: MailAddress, in db: any SQLDatabase) async throws -> ServiceAddress? {
        for candidate in ListAddress.candidates(address) {
            if try await MailingLists.list(key: candidate.listKey, in: db) != nil {
                return ServiceAddress(service: Self.name, address: address)
            }
        }
        return nil
    }
}
