/// Who may read a list's archive (Mailman's `archive_policy`).
public enum ArchivePolicy: String, Sendable, Codable, CaseIterable {
    /// Posts are not kept.
    case none
    /// Members (and the list's owners and moderators) read it after logging in.
    case `private`
    /// Anyone reads it.
    case `public`
}

/// One archived post, as the archive's pages list it.
public struct ArchivedPost: Sendable, Hashable, Encodable {
    public var id: Int64
    /// Names the post in its `Archived-At` URL (RFC 5064).
    public var key: String
    public var subject: String
    public var sender: String
    public var senderName: String
    public var messageID: String
    /// When the post was archived (seconds since 1970).
    public var archivedAt: Int64
    public var size: Int64
    /// The archived post this one answers ("" when none is archived).
    public var parentKey: String
    /// The key of its thread's first archived post (its own when it starts one).
    public var threadKey: String
}
