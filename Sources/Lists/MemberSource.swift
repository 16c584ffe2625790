/// Members a list takes from the directory, kept in sync: every enabled account of a local
/// domain, or the targets of an alias (a group such as `staff@example.org`).
public enum MemberSource: Sendable, Hashable, Codable, CustomStringConvertible {
    case domain(String)
    case alias(String)

    /// `domain:example.org` or `alias:staff@example.org` (as stored and as the CLI takes it).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        switch parts[0].lowercased() {
        case "domain": self = .domain(parts[1].lowercased())
        case "alias": self = .alias(parts[1].lowercased())
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .domain(let domain): "domain:\(domain)"
        case .alias(let alias): "alias:\(alias)"
        }
    }
}
