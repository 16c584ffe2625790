import Core
import Directory
import SQLKit

extension MailingLists {
    /// Brings the members `list` takes from the directory in line with it: every enabled
    /// account of the source domain, or every target of the source alias, is a member; a member
    /// the source added (`source` `directory`) that the directory no longer names is removed.
    /// Members added by hand are never touched (an address that is one already stays one).
    /// Returns the addresses added and removed.
    @discardableResult
    public func syncMembers(_ list: String, directory: Directory) async throws -> (added: [String], removed: [String]) {
        let found = try await self.list(list)
        guard let source = found.memberSource else { return ([], []) }
        var wanted: [(address: MailAddress, name: String)] = []
        switch source {
        case .domain(let domain):
            for account in try await directory.accounts(domain: domain) where account.enabled {
                if let address = try? MailAddress(parsing: account.address) { wanted.append((address, account.displayName)) }
            }
        case .alias(let alias):
            let domain = alias.split(separator: "@").last.map(String.init) ?? ""
            let group = try await directory.aliases(domain: domain).first { $0.source == alias }
            for target in group?.targets ?? [] {
                if let address = try? MailAddress(parsing: target) { wanted.append((address, "")) }
            }
        }
        let wantedKeys = Set(wanted.map(\.address.key))
        let adding = wanted
        return try await database.transaction { db in
            let rows = try await Self.memberQuery(db).where("list_id", .equal, found.id)
                .where("role", .equal, ListRole.member.rawValue).all().map(Self.decodeMember)
            let present = Set(rows.map { $0.address.lowercased() })
            var added: [String] = []
            var removed: [String] = []
            for (address, name) in adding where !present.contains(address.key) {
                // A list's own address (an alias that includes the list) is no member.
                guard
                    (try? await Self.insertMember(
                        address, displayName: name, role: .member, list: found, source: "directory", in: db))
                        != nil
                else { continue }
                added.append(address.description)
            }
            for row in rows where row.source == "directory" && !wantedKeys.contains(row.address.lowercased()) {
                try await db.delete(from: "list_member").where("id", .equal, row.id).run()
                removed.append(row.address)
            }
            return (added, removed)
        }
    }
}
