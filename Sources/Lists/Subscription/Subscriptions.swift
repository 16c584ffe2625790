import Core
import SQLKit

/// Where a subscription request came from: it decides whether the address has shown it is
/// its own.
public enum RequestSource: Sendable, Hashable {
    /// Mail from the address (`-join`, `-request`): under an open policy it joins at once.
    case mail
    /// The web form: anyone can type any address, so it is always confirmed by mail.
    case web
}

/// What became of a subscription or unsubscription request.
public enum SubscriptionStep: Sendable, Hashable {
    case subscribed(ListMember)
    case unsubscribed(address: String)
    /// Nothing to do: already a member (joining) or not one (leaving).
    case unchanged
    /// A confirmation goes to the address (its cookie here).
    case confirm(PendingRequest)
    /// A moderator decides (the request's cookie goes to the moderators).
    case moderate(PendingRequest)
    /// The address has `PendingRequest.perAddressLimit` requests waiting already: nothing sent.
    case tooManyPending
    /// The address is banned from the list (`posta list ban`): nothing sent.
    case banned
}

/// What a cookie did when used.
public enum ConfirmationResult: Sendable, Hashable {
    case subscribed(list: MailingList, address: String)
    case unsubscribed(list: MailingList, address: String)
    /// Confirmed by the address; now a moderator decides (`confirm-then-moderate`).
    case moderate(list: MailingList, request: PendingRequest)
    /// A moderator declined a subscription request.
    case declined(list: MailingList, address: String)
    /// A held post's cookie: the caller (the list transport) carries out the decision.
    case held(list: MailingList, heldID: Int64)
    /// A member disabled by bounces gets posts again.
    case reenabled(list: MailingList, address: String)
    /// Nothing changed (joined or left some other way meanwhile).
    case unchanged(list: MailingList, address: String)
    case expired
    /// Never issued, or used already.
    case unknown
}

extension MailingLists {
    /// A request to join `list` from `address`; the list's subscription policy decides.
    public func requestSubscription(_ list: String, address: String, displayName: String = "", source: RequestSource)
        async throws -> SubscriptionStep
    {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            if try await Self.member(listID: found.id, key: member.key, role: .member, in: db) != nil { return .unchanged }
            if try await Self.rules(listID: found.id, in: db).ban(of: member) != nil { return .banned }
            switch found.subscribePolicy {
            case .open where source == .mail:
                return .subscribed(
                    try await Self.insertMember(member, displayName: displayName, role: .member, list: found, in: db))
            case .open, .confirm, .confirmThenModerate:
                return try await Self.pend(
                    .subscribe, list: found, address: member, displayName: displayName, in: db, then: SubscriptionStep.confirm)
            case .moderate:
                return try await Self.pend(
                    .approveJoin, list: found, address: member, displayName: displayName, in: db, then: SubscriptionStep.moderate)
            }
        }
    }

    /// A request to leave `list` from `address`; the list's unsubscription policy decides.
    public func requestUnsubscription(_ list: String, address: String, source: RequestSource) async throws
        -> SubscriptionStep
    {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            guard let row = try await Self.member(listID: found.id, key: member.key, role: .member, in: db) else {
                return .unchanged
            }
            switch found.unsubscribePolicy {
            case .open where source == .mail:
                try await db.delete(from: "list_member").where("id", .equal, row.id).run()
                return .unsubscribed(address: row.address)
            case .open, .confirm, .confirmThenModerate:
                return try await Self.pend(
                    .unsubscribe, list: found, address: member, displayName: "", in: db, then: SubscriptionStep.confirm)
            case .moderate:
                return try await Self.pend(
                    .approveLeave, list: found, address: member, displayName: "", in: db, then: SubscriptionStep.moderate)
            }
        }
    }

    /// An owner's invitation: `address` joins when it accepts (no moderator needed).
    public func invite(_ list: String, address: String, displayName: String = "") async throws -> SubscriptionStep {
        let member = try Self.parse(address)
        let listKey = try Self.parse(list).key
        return try await database.transaction { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            if try await Self.member(listID: found.id, key: member.key, role: .member, in: db) != nil { return .unchanged }
            if try await Self.rules(listID: found.id, in: db).ban(of: member) != nil { return .banned }
            return try await Self.pend(
                .invite, list: found, address: member, displayName: displayName, in: db, then: SubscriptionStep.confirm)
        }
    }

    /// The request a cookie names and its list, changing nothing (the page a link opens first).
    public func pending(cookie: String) async throws -> (list: MailingList, request: PendingRequest)? {
        guard ListCookie.isWellFormed(cookie) else { return nil }
        return try await database.withConnection { db in
            guard let request = try await PendingRequest.find(cookie: cookie, in: db), request.expiresAt > UnixTime.now(),
                let list = try await Self.list(id: request.listID, in: db)
            else { return nil }
            return (list, request)
        }
    }

    /// The requests waiting on `list` (moderators' and addresses'), oldest first.
    public func pendingRequests(_ list: String) async throws -> [PendingRequest] {
        let listKey = try Self.parse(list).key
        return try await database.withConnection { db in
            guard let found = try await Self.list(key: listKey, in: db) else { throw ListError.unknownList(list) }
            return try await PendingRequest.query(db).where("list_id", .equal, found.id)
                .where("expires_at", .greaterThan, UnixTime.now()).orderBy("id").all().map(PendingRequest.decode)
        }
    }

    /// Uses a cookie: `accept` false declines (a moderator's "reject"/"discard", or the address
    /// saying no). Each cookie works once; an expired one does nothing and is forgotten.
    public func confirm(cookie: String, accept: Bool = true) async throws -> ConfirmationResult {
        guard ListCookie.isWellFormed(cookie) else { return .unknown }
        return try await database.transaction { db in
            // DELETE … RETURNING: of two replies using one cookie at once, one finds it.
            guard
                let row = try await db.raw(
                    """
                    DELETE FROM list_pending WHERE cookie = \(bind: cookie)
                    RETURNING id, list_id, cookie, kind, address, display_name, held_id, created_at, expires_at
                    """
                ).first()
            else { return .unknown }
            let request = try PendingRequest.decode(row)
            guard request.expiresAt > UnixTime.now() else { return .expired }
            guard let list = try await Self.list(id: request.listID, in: db) else { return .unknown }
            let address = try Self.parse(request.address)
            if request.kind == .held {
                guard let heldID = request.heldID else { return .unknown }
                return .held(list: list, heldID: heldID)
            }
            guard accept else { return .declined(list: list, address: request.address) }
            let existing = try await Self.member(listID: list.id, key: address.key, role: .member, in: db)
            switch request.kind {
            case .subscribe where list.subscribePolicy == .confirmThenModerate:
                if existing != nil { return .unchanged(list: list, address: request.address) }
                let next = try await PendingRequest.insert(
                    .approveJoin, listID: list.id, address: address, displayName: request.displayName, in: db)
                return .moderate(list: list, request: next)
            case .unsubscribe where list.unsubscribePolicy == .confirmThenModerate:
                if existing == nil { return .unchanged(list: list, address: request.address) }
                let next = try await PendingRequest.insert(
                    .approveLeave, listID: list.id, address: address, displayName: "", in: db)
                return .moderate(list: list, request: next)
            case .subscribe, .invite, .approveJoin:
                if existing != nil { return .unchanged(list: list, address: request.address) }
                _ = try await Self.insertMember(address, displayName: request.displayName, role: .member, list: list, in: db)
                return .subscribed(list: list, address: request.address)
            case .unsubscribe, .approveLeave:
                guard let existing else { return .unchanged(list: list, address: request.address) }
                try await db.delete(from: "list_member").where("id", .equal, existing.id).run()
                return .unsubscribed(list: list, address: request.address)
            case .reenable:
                guard let existing, try await Self.reenableBounced(memberID: existing.id, in: db) else {
                    return .unchanged(list: list, address: request.address)
                }
                return .reenabled(list: list, address: request.address)
            case .held:
                return .unknown
            }
        }
    }

    /// Records a request unless the address has too many waiting (expired ones are dropped first).
    static func pend(
        _ kind: PendingKind, list: MailingList, address: MailAddress, displayName: String, in db: any SQLDatabase,
        then step: (PendingRequest) -> SubscriptionStep
    ) async throws -> SubscriptionStep {
        try await db.delete(from: "list_pending").where("expires_at", .lessThanOrEqual, UnixTime.now()).run()
        let waiting =
            try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("list_pending")
            .where("list_id", .equal, list.id).where("address_key", .equal, address.key)
            .first(decodingColumn: "n", as: Int64.self) ?? 0
        guard waiting < PendingRequest.perAddressLimit else { return .tooManyPending }
        return step(try await PendingRequest.insert(kind, listID: list.id, address: address, displayName: displayName, in: db))
    }
}
