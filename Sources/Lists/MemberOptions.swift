import Core
import SQLKit

/// A member's own delivery options, as its options page (`/lists/options/TOKEN`) shows them.
/// The member is named by its secret token (the one of its unsubscribe link and VERP address):
/// whoever holds the token is the member, there is no login.
public struct MemberOptions: Sendable {
    public var list: MailingList
    public var address: String
    /// nil: the posts are delivered.
    public var disabled: DeliveryDisabled?
    public var mode: DeliveryMode

    /// Whether the member may turn delivery on: it may undo its own stop and the list's stop for
    /// bounces, never a moderator's.
    public var mayTurnOn: Bool { disabled != .moderator }
}

/// What a member asks to change; nil leaves that option as it is.
public struct MemberOptionsChange: Sendable, Hashable {
    /// true: deliver the posts; false: deliver nothing for now.
    public var delivery: Bool?
    public var mode: DeliveryMode?

    public init(delivery: Bool? = nil, mode: DeliveryMode? = nil) {
        self.delivery = delivery
        self.mode = mode
    }
}

/// What became of the delivery part of a `MemberOptionsChange`.
public enum MemberDeliveryChange: Sendable, Hashable {
    /// Asked for what already was (or nothing asked).
    case unchanged
    case turnedOff
    /// On again after the member's own stop.
    case turnedOn
    /// On again after the list's stop for bounces; the bounce score and warnings are cleared.
    case reenabled
    /// A moderator stopped delivery: only a moderator starts it again.
    case refused
}

extension MailingLists {
    /// The options of the member `token` names, changing nothing (GET: link checkers fetch it
    /// too); nil when the token names no member (removed, or never issued).
    public func memberOptions(token: String) async throws -> MemberOptions? {
        guard Self.isPlausible(token: token) else { return nil }
        return try await database.withConnection { db in
            guard let member = try await Self.member(token: token, in: db) else { return nil }
            return try await Self.options(of: member, in: db)
        }
    }

    /// Applies a member's change to its own options, in one transaction; returns the options as
    /// they are now and what became of the delivery part, or nil when the token names nobody.
    /// Each delivery change is one conditional UPDATE on the reason it was stopped for, so a
    /// moderator's or the bounce processing's change made meanwhile (another node) is never
    /// overwritten: a member turns off only a delivery that is on, turns on only its own stop or
    /// a stop for bounces, never a moderator's.
    public func changeMemberOptions(token: String, _ change: MemberOptionsChange) async throws
        -> (options: MemberOptions, delivery: MemberDeliveryChange)?
    {
        guard Self.isPlausible(token: token) else { return nil }
        return try await database.transaction { db -> (options: MemberOptions, delivery: MemberDeliveryChange)? in
            guard let member = try await Self.member(token: token, in: db) else { return nil }
            var delivery = MemberDeliveryChange.unchanged
            switch (change.delivery, member.disabled) {
            case (false?, nil):
                let claimed = try await db.raw(
                    """
                    UPDATE list_member SET disabled = \(bind: DeliveryDisabled.user.rawValue)
                    WHERE id = \(bind: member.id) AND disabled IS NULL
                    RETURNING id
                    """
                ).all()
                if !claimed.isEmpty { delivery = .turnedOff }
            case (true?, .user):
                let claimed = try await db.raw(
                    """
                    UPDATE list_member SET disabled = NULL
                    WHERE id = \(bind: member.id) AND disabled = \(bind: DeliveryDisabled.user.rawValue)
                    RETURNING id
                    """
                ).all()
                if !claimed.isEmpty { delivery = .turnedOn }
            case (true?, .bounces):
                if try await Self.reenableBounced(memberID: member.id, in: db) { delivery = .reenabled }
            case (true?, .moderator):
                delivery = .refused
            default:
                // Off when off already (the stop keeps its reason), on when on, or nothing asked.
                break
            }
            if let mode = change.mode, mode != member.mode {
                try await db.update("list_member").set("delivery_mode", to: SQLBind(mode.rawValue))
                    .where("id", .equal, member.id).run()
            }
            guard let now = try await Self.memberQuery(db).where("id", .equal, member.id).first().map(Self.decodeMember),
                let options = try await Self.options(of: now, in: db)
            else { return nil }
            return (options, delivery)
        }
    }

    /// Turns delivery back on for a member the list stopped for bounces, and forgets its score
    /// and warnings (the next permanent bounce starts again at one). Conditional on the stop
    /// still being for bounces, so a moderator's stop made meanwhile stays; true when it applied.
    /// The bounce warning's link (`confirm`, `.reenable`) and the options page both come here.
    static func reenableBounced(memberID: Int64, in db: any SQLDatabase) async throws -> Bool {
        let claimed = try await db.raw(
            """
            UPDATE list_member SET disabled = NULL, bounce_score = 0, bounce_warnings = 0, last_warning_at = NULL
            WHERE id = \(bind: memberID) AND disabled = \(bind: DeliveryDisabled.bounces.rawValue)
            RETURNING id
            """
        ).all()
        return !claimed.isEmpty
    }

    /// A token as issued (`RandomToken`, 24 characters) is short; anything long is not one.
    static func isPlausible(token: String) -> Bool { !token.isEmpty && token.count <= 64 }

    /// The member (role `member`: owners and moderators have no options page) a token names.
    static func member(token: String, in db: any SQLDatabase) async throws -> ListMember? {
        guard let row = try await memberQuery(db).where("token", .equal, token).first(),
            let member = try? decodeMember(row), member.role == .member
        else { return nil }
        return member
    }

    private static func options(of member: ListMember, in db: any SQLDatabase) async throws -> MemberOptions? {
        guard let list = try await list(id: member.listID, in: db) else { return nil }
        return MemberOptions(list: list, address: member.address, disabled: member.disabled, mode: member.mode)
    }
}
