/// Why a command frame could not be parsed. The session answers `tag BAD reason`, or `* BAD reason`
/// when `tag` is nil (the tag itself could not be read).
public struct IMAPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var tag: String?
    /// Short, human-readable, safe to send back (never echoes client bytes).
    public var reason: String

    public init(tag: String?, reason: String) {
        self.tag = tag
        self.reason = reason
    }

    init(_ reason: String) { self.init(tag: nil, reason: reason) }

    public var description: String { "\(tag ?? "*") BAD \(reason)" }
}
