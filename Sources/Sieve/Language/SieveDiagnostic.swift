/// One compile error, at a position in the script text (1-based line and column, columns in bytes).
public struct SieveDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line of the offending token.
    public var line: Int
    /// 1-based column (in bytes) of the offending token.
    public var column: Int
    /// What is wrong, in `sievec`'s words where it has them.
    public var message: String

    /// A diagnostic at a position.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): error: \(message)" }
}

/// Why a script did not compile: every error found, in script order (parsing stops at the first
/// syntax error; validation reports all it finds).
public struct SieveCompileError: Error, Sendable, CustomStringConvertible {
    /// The errors, at least one.
    public var diagnostics: [SieveDiagnostic]

    /// An error carrying diagnostics.
    public init(diagnostics: [SieveDiagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A position in the script text.
struct SievePosition: Sendable, Hashable {
    var line: Int
    var column: Int

    func error(_ message: String) -> SieveDiagnostic { SieveDiagnostic(line: line, column: column, message: message) }
}
