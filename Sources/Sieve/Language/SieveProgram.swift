/// A validated argument value.
enum SieveValue: Sendable, Hashable {
    case number(Int)
    case strings([String])

    var strings: [String] {
        if case .strings(let list) = self { return list }
        return []
    }

    var string: String { strings.first ?? "" }

    var number: Int {
        if case .number(let value) = self { return value }
        return 0
    }
}

/// A validated command or test: tags by name, positional arguments in signature order (nil for an
/// omitted optional one), match arguments resolved.
struct SieveCall: Sendable, Hashable {
    var name: String
    var position: SievePosition
    /// Tags other than match type, comparator, address part and index; `.strings([])` for flag tags.
    var tags: [String: SieveValue]
    var arguments: [SieveValue?]
    var match: SieveMatchSpec
    var tests: [SieveCall]

    func argument(_ index: Int) -> SieveValue? { index < arguments.count ? arguments[index] : nil }
    func has(_ tag: String) -> Bool { tags[tag] != nil }
    /// The first string of a positional argument ("" when absent).
    func string(_ index: Int) -> String { argument(index)?.string ?? "" }
    /// The strings of a positional argument (empty when absent).
    func strings(_ index: Int) -> [String] { argument(index)?.strings ?? [] }
}

/// One arm of an if/elsif/else chain (RFC 5228 §3.1); `test` is nil for `else`.
struct SieveBranch: Sendable, Hashable {
    var test: SieveCall?
    var block: [SieveInstruction]
}

/// RFC 6609 §3.2: an include compiled in, pointing at one of the script's units.
struct SieveIncludeCall: Sendable, Hashable {
    var unit: Int
    var once: Bool
    var position: SievePosition
}

/// A validated command.
enum SieveInstruction: Sendable, Hashable {
    case conditional([SieveBranch])
    case command(SieveCall)
    case stop
    /// RFC 6609 §3.3.
    case returnFromInclude
    case include(SieveIncludeCall)
    /// RFC 6609 §3.2: `:optional` include of a script that does not exist.
    case nothing
}

/// One compiled script: the main one or an included one (RFC 6609), with its own require set.
struct SieveUnit: Sendable, Hashable {
    var name: String
    var location: SieveIncludeLocation?
    var extensions: Set<String>
    var instructions: [SieveInstruction]
}
