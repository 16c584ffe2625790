/// How a command or test is called: its tags, positional arguments, tests and block, and the
/// extension it belongs to. The validator checks every node against these.
struct SieveSignature: Sendable {
    enum ArgumentType: Sendable, Hashable {
        case string
        case stringList
        case number

        var display: String {
            switch self {
            case .string: "string"
            case .stringList: "string list"
            case .number: "number"
            }
        }
    }

    /// A tag and its argument, and the extension that provides it (nil: the command's own).
    struct Tag: Sendable {
        var argument: ArgumentType?
        var requires: String?
        /// Tags in the same group exclude each other (`:zone`/`:originalzone`, `:over`/`:under`...).
        var group: String?
    }

    struct Positional: Sendable {
        var type: ArgumentType
        var optional = false
    }

    enum Tests: Sendable {
        case none
        case one
        case list
    }

    var name: String
    var isTest: Bool
    /// Any one of these must be required; empty for the base language.
    var requires: [String] = []
    var tags: [String: Tag] = [:]
    var positional: [Positional] = []
    var matchType = false
    var comparator = false
    var addressPart = false
    /// RFC 5260 §6: `:index` and `:last`.
    var index = false
    var tests: Tests = .none
    var block = false
}
