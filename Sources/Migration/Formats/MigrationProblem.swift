/// Something in an input file that the parser did not take as it stood: a line it skipped, a field it
/// ignored, a value it corrected. The reason says which, in words an administrator reads in the import
/// summary ("skipped", "ignored", "raised to …").
///
/// Parsers never throw and never trap on their input: whatever they cannot use becomes a problem.
public struct MigrationProblem: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the input, or 0 when the problem concerns the whole input.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
}

/// A parser's answer: what it understood, and what it did not take as it stood.
public struct MigrationParse<Value: Sendable>: Sendable {
    public var value: Value
    public var problems: [MigrationProblem]

    public init(value: Value, problems: [MigrationProblem]) {
        self.value = value
        self.problems = problems
    }
}

extension MigrationParse: Equatable where Value: Equatable {}

/// The limits every line-oriented parser here applies, so that a hostile or binary file costs bounded
/// memory: the values kept are never larger than the input, and the problem list stops growing.
public enum MigrationLimits {
    /// Longer lines are skipped without being turned into strings. Real lines of these formats are short
    /// (a uidlist record is a UID, a few fields and a file name of at most 255 bytes; an LDIF value may be
    /// long, but then it is folded).
    public static let maxLineLength = 64 * 1024
    /// Problems after this many are counted in one last problem instead of listed.
    public static let maxProblems = 1000
}

/// Collects problems up to ``MigrationLimits/maxProblems``.
struct ProblemLog {
    private(set) var problems: [MigrationProblem] = []
    private var omitted = 0

    mutating func add(_ line: Int, _ reason: String) {
        if problems.count < MigrationLimits.maxProblems {
            problems.append(MigrationProblem(line: line, reason: reason))
        } else {
            omitted += 1
        }
    }

    var all: [MigrationProblem] {
        guard omitted > 0 else { return problems }
        return problems + [MigrationProblem(line: 0, reason: "\(omitted) further problems not listed")]
    }
}

/// The lines of a text file: split at LF, a CR before the LF dropped, the last line kept even without
/// its LF. Lines above ``MigrationLimits/maxLineLength`` are returned as `nil` (the caller reports them).
struct TextLines: Sequence, IteratorProtocol {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var number = 0
    let maxLength: Int

    init(_ bytes: [UInt8], maxLength: Int = MigrationLimits.maxLineLength) {
        self.bytes = bytes
        self.maxLength = maxLength
    }

    /// The next line (number, text or `nil` when too long or not UTF-8), until the input ends.
    mutating func next() -> (number: Int, text: Substring?)? {
        guard position < bytes.count else { return nil }
        let start = position
        var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        position = end < bytes.count ? end + 1 : end
        number += 1
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end - start <= maxLength else { return (number, nil) }
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { return (number, nil) }
        return (number, Substring(text))
    }
}

extension TextLines {
    /// Why a line came back `nil`.
    static func unreadableReason(_ maxLength: Int) -> String {
        "line longer than \(maxLength) bytes or not UTF-8: skipped"
    }
}

/// ASCII helpers shared by the parsers.
enum ASCII {
    static func isDigits(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// A decimal UInt32 without sign or spaces; nil on overflow.
    static func uint32(_ text: some StringProtocol) -> UInt32? {
        guard isDigits(text), text.utf8.count <= 10 else { return nil }
        return UInt32(text)
    }

    static func int64(_ text: some StringProtocol) -> Int64? {
        guard isDigits(text), text.utf8.count <= 18 else { return nil }
        return Int64(text)
    }

    static func hasControl(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The text for a message: printable, at most 80 characters.
    static func quoted(_ text: some StringProtocol) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return "\"" + (cleaned.count > 80 ? String(cleaned.prefix(80)) + "…" : cleaned) + "\""
    }
}
