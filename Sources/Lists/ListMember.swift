import Core

/// A member's part in a list.
public enum ListRole: String, Sendable, Codable, CaseIterable {
    /// Receives the posts.
    case member
    /// Runs the list: gets mail to `-owner`, may post to an announce list, approves held posts.
    case owner
    /// Approves held posts; may post to an announce list.
    case moderator
}

/// Why a member gets no posts.
public enum DeliveryDisabled: String, Sendable, Codable, CaseIterable {
    case user
    case bounces
    case moderator
}

/// One address in one role on one list.
public struct ListMember: Sendable, Hashable, Encodable {
    public var id: Int64
    public var listID: Int64
    public var address: String
    public var displayName: String
    public var role: ListRole
    /// nil: posts are delivered.
    public var disabled: DeliveryDisabled?
    /// This member's posts get this action instead of the list's `memberAction`.
    public var moderation: ModerationAction?
    /// One copy per post, or a digest.
    public var mode: DeliveryMode
    /// Added by hand (`manual`) or by the list's member source (`directory`), which removes it
    /// again when the directory no longer names it.
    public var source: String
    /// Permanent bounces counted (once a day) and warnings sent since delivery was disabled.
    public var bounceScore: Int
    public var bounceWarnings: Int
    public var createdAt: Int64
    /// Names the member in its one-click unsubscribe URL; never printed or shown.
    var token: String

    enum CodingKeys: String, CodingKey {
        case id, listID, address, displayName, role, disabled, moderation, mode, source, bounceScore, bounceWarnings, createdAt
    }
}
