/// The syntax tree of RFC 5228 §8.2, before validation: commands and tests with their raw arguments.

/// One argument (RFC 5228 §2.6.1): a tag, a number or strings.
struct SieveArgument: Sendable, Hashable {
    enum Value: Sendable, Hashable {
        case tag(String)
        case number(Int)
        /// A single string (`isList` false) or a bracketed string list.
        case strings([String], isList: Bool)
    }

    var value: Value
    var position: SievePosition
}

/// A command or a test (RFC 5228 §8.2): name, arguments, tests, and for commands an optional block.
struct SieveNode: Sendable, Hashable {
    var name: String
    var position: SievePosition
    var arguments: [SieveArgument]
    /// One test (`if`, `not`) or a test-list (`allof`, `anyof`).
    var tests: [SieveNode]
    /// Whether the tests were written as a parenthesised test-list.
    var testList: Bool
    /// The block of a command, nil when it ended with `;`.
    var block: [SieveNode]?
}
