import Core
import SQLKit

/// What a pending request waits for.
public enum PendingKind: String, Sendable, Codable, CaseIterable {
    /// The address confirms it wants to join.
    case subscribe
    /// The member confirms it wants to leave.
    case unsubscribe
    /// An owner's invitation: the address accepts it.
    case invite
    /// A moderator approves a subscription (or unsubscription, `leave`).
    case approveJoin = "approve-join"
    case approveLeave = "approve-leave"
    /// A moderator decides a held post (`heldID`).
    case held
    /// A member disabled by bounces turns its delivery back on (the link of a bounce warning).
    case reenable
}

/// A request waiting for a reply, named by a cookie that works once and expires.
public struct PendingRequest: Sendable, Hashable, Encodable {
    public var id: Int64
    public var listID: Int64
    public var cookie: String
    public var kind: PendingKind
    public var address: String
    public var displayName: String
    public var heldID: Int64?
    public var createdAt: Int64
    public var expiresAt: Int64

    /// The cookie is a secret of the address or moderators it was mailed to: never printed.
    enum CodingKeys: String, CodingKey {
        case id, listID, kind, address, displayName, heldID, createdAt, expiresAt
    }

    /// How long each kind waits: an address's confirmation three days (Mailman's
    /// `pending_request_life`), a moderator two weeks.
    static func lifetime(_ kind: PendingKind) -> Int64 {
        switch kind {
        case .subscribe, .unsubscribe: 3 * 86_400
        case .invite, .approveJoin, .approveLeave, .held: 14 * 86_400
        case .reenable: 21 * 86_400
        }
    }

    /// Unconfirmed requests one address may have on one list: more are not mailed, so a forged
    /// request cannot turn the list into a mail bomb.
    static let perAddressLimit = 3

    static func insert(
        _ kind: PendingKind, listID: Int64, address: MailAddress, displayName: String, heldID: Int64? = nil,
        in db: any SQLDatabase
    ) async throws -> PendingRequest {
        let now = UnixTime.now()
        let cookie = ListCookie.make()
        try await db.insert(into: "list_pending")
            .columns("list_id", "cookie", "kind", "address_key", "address", "display_name", "held_id", "created_at", "expires_at")
            .values(
                SQLBind(listID), SQLBind(cookie), SQLBind(kind.rawValue), SQLBind(address.key), SQLBind(address.description),
                SQLBind(displayName), SQLBind(heldID), SQLBind(now), SQLBind(now + lifetime(kind))
            ).run()
        guard let row = try await find(cookie: cookie, in: db) else { throw ListError.invalid("pending request vanished") }
        return row
    }

    static func query(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .columns(
                "id", "list_id", "cookie", "kind", "address", "display_name", "held_id", "created_at", "expires_at"
            ).from("list_pending")
    }

    static func find(cookie: String, in db: any SQLDatabase) async throws -> PendingRequest? {
        try await query(db).where("cookie", .equal, cookie).first().map(decode)
    }

    static func decode(_ row: any SQLRow) throws -> PendingRequest {
        let kind = try row.decode(column: "kind", as: String.self)
        guard let parsed = PendingKind(rawValue: kind) else { throw ListError.invalid("stored request kind '\(kind)'") }
        return PendingRequest(
            id: try row.decode(column: "id", as: Int64.self), listID: try row.decode(column: "list_id", as: Int64.self),
            cookie: try row.decode(column: "cookie", as: String.self), kind: parsed,
            address: try row.decode(column: "address", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            heldID: try row.decode(column: "held_id", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self))
    }
}

/// Confirmation cookies: 120 random bits in lower-case base32 (24 characters), so they survive
/// mail systems that change the case of local parts and fit `dept-confirm+COOKIE@` in 64 octets.
public enum ListCookie {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<24).map { _ in alphabet[Int.random(in: 0..<32, using: &generator)] })
    }

    /// Whether `text` has a cookie's shape (checked before any lookup).
    public static func isWellFormed(_ text: String) -> Bool {
        text.count == 24 && text.allSatisfy { alphabet.contains($0) }
    }

    /// The first cookie-shaped word after "confirm" in `text` (a Subject such as
    /// `Re: confirm abcd…`), if any.
    public static func find(in text: String) -> String? {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).prefix(64)
        for (index, word) in words.enumerated() where word == "confirm" && index + 1 < words.count {
            let next = String(words[index + 1])
            if isWellFormed(next) { return next }
        }
        return nil
    }
}
