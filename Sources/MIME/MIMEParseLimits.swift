/// Bounds that keep hostile messages cheap to parse. Beyond them, content is kept as an opaque leaf and the
/// parse result says which bound was met (`MIMEMessage.exceededLimits`), so that checks reading the tree
/// (attachment rules, virus scanning) can treat the message as unchecked rather than clean.
public struct MIMEParseLimits: Sendable, Hashable {
    /// Maximum nesting of multiparts and encapsulated messages.
    public var maxDepth: Int
    /// Maximum number of entities in one message.
    public var maxEntities: Int
    /// Maximum size of one header section, its empty line included. Postfix moves what follows into the
    /// body (`header_size_limit`, 102400 bytes by default), so readers disagree beyond it.
    public var maxHeaderBytes: Int

    public init(maxDepth: Int = 64, maxEntities: Int = 5_000, maxHeaderBytes: Int = 102_400) {
        self.maxDepth = maxDepth
        self.maxEntities = maxEntities
        self.maxHeaderBytes = maxHeaderBytes
    }

    public static let `default` = MIMEParseLimits()

    /// Which limits a parse met.
    public struct Exceeded: OptionSet, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// A multipart or encapsulated message nested deeper than `maxDepth` was left unparsed.
        public static let depth = Exceeded(rawValue: 1)
        /// Entities beyond `maxEntities` were left unparsed.
        public static let entities = Exceeded(rawValue: 2)
        /// A header section was larger than `maxHeaderBytes`.
        public static let headerSize = Exceeded(rawValue: 4)

        public var description: String {
            [(Exceeded.depth, "depth"), (.entities, "entities"), (.headerSize, "header size")]
                .filter { contains($0.0) }.map(\.1).joined(separator: ", ")
        }
    }
}
