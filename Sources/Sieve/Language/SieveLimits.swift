/// The bounds a script and a run must stay within. Compile-time bounds make `SieveScript.compile` fail;
/// runtime bounds end a run with `SieveResult.runtimeError` (never a crash).
public struct SieveLimits: Sendable, Hashable {
    /// Largest script text accepted, in bytes.
    public var maxScriptBytes: Int
    /// Deepest nesting of blocks and tests together (`if anyof(not(...)) { if ... }`).
    public var maxNestingDepth: Int
    /// Longest string literal, in bytes (after dot-unstuffing of `text:` strings).
    public var maxStringBytes: Int
    /// Most strings in one string list.
    public var maxStringListItems: Int
    /// Most actions one run may produce (Pigeonhole's `sieve_max_actions`).
    public var maxActions: Int
    /// Most redirects one run may produce (Pigeonhole's `sieve_max_redirects`).
    public var maxRedirects: Int
    /// Header bytes of the message examined by tests (beyond them fields are not seen).
    public var maxHeaderBytes: Int
    /// Body bytes examined by the body test, per part and in total.
    public var maxBodyBytes: Int
    /// Most variables one script scope may hold (RFC 5229 §6).
    public var maxVariables: Int
    /// Longest variable value in bytes; longer values are truncated (RFC 5229 §6, as Pigeonhole does).
    public var maxVariableBytes: Int
    /// Deepest chain of includes (RFC 6609).
    public var maxIncludeDepth: Int
    /// Most scripts included, counted at compile time (distinct scripts) and at run time (executions).
    public var maxIncludes: Int
    /// RFC 7352 §3.3: the tracking period when `:seconds` is absent.
    public var duplicateDefaultSeconds: Int
    /// RFC 7352 §3.3: longest tracking period honoured.
    public var duplicateMaxSeconds: Int
    /// RFC 5230 §4.1, RFC 6131 §2: the shortest response interval `:days` and `:seconds` may ask for (0 lets
    /// `:seconds 0` mean "reply every time"; Pigeonhole's default is one day).
    public var vacationMinSeconds: Int
    /// RFC 5230 §4.1: the longest response interval honoured.
    public var vacationMaxSeconds: Int
    /// The work one run may do, in bytes compared or produced (each `:contains`/`:matches`
    /// costs value length × key length, the worst case; expansions cost what they produce):
    /// past it the run ends with a runtime error and the message is kept. Sieve has no loops,
    /// but one test over many values and keys, repeated by includes, could still take hours.
    public var maxWork: Int

    /// Limits with Pigeonhole-like defaults.
    public init(
        maxScriptBytes: Int = 1 << 20, maxNestingDepth: Int = 32, maxStringBytes: Int = 1 << 20,
        maxStringListItems: Int = 1_000, maxActions: Int = 32, maxRedirects: Int = 4, maxHeaderBytes: Int = 1 << 20,
        maxBodyBytes: Int = 1 << 20, maxVariables: Int = 250, maxVariableBytes: Int = 4_096, maxIncludeDepth: Int = 10,
        maxIncludes: Int = 255, duplicateDefaultSeconds: Int = 12 * 3_600, duplicateMaxSeconds: Int = 2 * 86_400,
        vacationMinSeconds: Int = 86_400, vacationMaxSeconds: Int = 365 * 86_400, maxWork: Int = 200_000_000
    ) {
        self.maxScriptBytes = maxScriptBytes
        self.maxNestingDepth = maxNestingDepth
        self.maxStringBytes = maxStringBytes
        self.maxStringListItems = maxStringListItems
        self.maxActions = maxActions
        self.maxRedirects = maxRedirects
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxVariables = maxVariables
        self.maxVariableBytes = maxVariableBytes
        self.maxIncludeDepth = maxIncludeDepth
        self.maxIncludes = maxIncludes
        self.duplicateDefaultSeconds = duplicateDefaultSeconds
        self.duplicateMaxSeconds = duplicateMaxSeconds
        self.vacationMinSeconds = vacationMinSeconds
        self.vacationMaxSeconds = vacationMaxSeconds
        self.maxWork = maxWork
    }
}
