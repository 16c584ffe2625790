/// Bounds that keep hostile messages cheap to parse. Beyond them, content is kept as an opaque leaf.
public struct MIMEParseLimits: Sendable, Hashable {
    /// Maximum nesting of multiparts and encapsulated messages.
    public var maxDepth: Int
    /// Maximum number of entities in one message.
    public var maxEntities: Int

    public init(maxDepth: Int = 64, maxEntities: Int = 5_000) {
        self.maxDepth = maxDepth
        self.maxEntities = maxEntities
    }

    public static let `default` = MIMEParseLimits()
}
