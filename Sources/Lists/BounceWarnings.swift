import Core
import Logging
import SQLKit

extension ListTransport {
    /// Days between two bounce warnings, and between the last one and the removal (Mailman's
    /// `bounce_you_are_disabled_warnings_interval`).
    static let bounceWarningInterval: Int64 = 7 * 86_400

    /// One round of bounce warnings, for every list: a member disabled by bounces gets a
    /// warning with a link that turns delivery back on, then another a week later, up to the
    /// list's `bounceWarnings`; a week after the last it is removed and the owners are told.
    /// Each step claims the member's row first (a conditional UPDATE or DELETE), so two nodes
    /// send a warning once. Returns the warnings sent and the members removed.
    @discardableResult
    public func processBounceWarnings(now: Int64) async -> (warned: Int, removed: Int) {
        var warned = 0
        var removed = 0
        do {
            let due = now - Self.bounceWarningInterval
            let rows = try await database.withConnection { db in
                try await MailingLists.memberQuery(db).where("disabled", .equal, DeliveryDisabled.bounces.rawValue)
                    .where("role", .equal, ListRole.member.rawValue)
                    .where { $0.where("last_warning_at", .is, SQLLiteral.null).orWhere("last_warning_at", .lessThanOrEqual, due) }
                    .orderBy("id").limit(1000).all().map(MailingLists.decodeMember)
            }
            for member in rows {
                guard let list = try await database.withConnection({ try await MailingLists.list(id: member.listID, in: $0) }),
                    list.bounceWarnings > 0
                else { continue }
                if member.bounceWarnings < list.bounceWarnings {
                    if try await warn(member, list: list, now: now) { warned += 1 }
                } else if try await removeBouncing(member, list: list) {
                    removed += 1
                }
            }
        } catch {
            logger.error("list bounce warnings failed", metadata: ["error": "\(error)"])
        }
        return (warned, removed)
    }

    private func warn(_ member: ListMember, list: MailingList, now: Int64) async throws -> Bool {
        guard let address = try? MailAddress(parsing: member.address) else { return false }
        let request: PendingRequest? = try await database.transaction { db in
            let claimed = try await db.raw(
                """
                UPDATE list_member SET bounce_warnings = bounce_warnings + 1, last_warning_at = \(bind: now)
                WHERE id = \(bind: member.id) AND bounce_warnings = \(bind: Int64(member.bounceWarnings))
                  AND disabled = \(bind: DeliveryDisabled.bounces.rawValue)
                RETURNING id
                """
            ).all()
            guard !claimed.isEmpty else { return nil }
            return try await PendingRequest.insert(.reenable, listID: list.id, address: address, displayName: "", in: db)
        }
        guard let request else { return false }
        try await send(
            notices(list).bounceWarning(
                request, number: member.bounceWarnings + 1, of: list.bounceWarnings,
                options: settings.optionsURL(token: member.token)), list: list, to: address)
        logger.info(
            "list bounce warning",
            metadata: ["list": "\(list.address)", "member": "\(member.address)", "warning": "\(member.bounceWarnings + 1)"])
        return true
    }

    private func removeBouncing(_ member: ListMember, list: MailingList) async throws -> Bool {
        let gone = try await database.withConnection { db in
            try await db.raw(
                """
                DELETE FROM list_member WHERE id = \(bind: member.id) AND disabled = \(bind: DeliveryDisabled.bounces.rawValue)
                RETURNING id
                """
            ).all()
        }
        guard !gone.isEmpty else { return false }
        let owners = try await lists.members(list.address).filter { $0.role != .member }
        for owner in Set(owners.map(\.address)).sorted() {
            guard let address = try? MailAddress(parsing: owner) else { continue }
            try await send(
                notices(list).removedForBounces(member.address, owner: owner, warnings: member.bounceWarnings), list: list,
                to: address)
        }
        logger.notice("list member removed (bouncing)", metadata: ["list": "\(list.address)", "member": "\(member.address)"])
        return true
    }

    /// Lists whose members come from the directory, brought in line (the maintenance round).
    public func syncDirectoryMembers() async {
        do {
            for list in try await lists.lists() where list.memberSource != nil {
                let (added, removed) = try await lists.syncMembers(list.address, directory: directory)
                if !added.isEmpty || !removed.isEmpty {
                    logger.info(
                        "list members synced from the directory",
                        metadata: ["list": "\(list.address)", "added": "\(added.count)", "removed": "\(removed.count)"])
                }
            }
        } catch {
            logger.error("list directory sync failed", metadata: ["error": "\(error)"])
        }
    }
}
