/// A threshold in the Monitoring Plugins range syntax (guidelines, "Threshold and ranges"):
///
/// | text      | alert when the value is            |
/// |-----------|------------------------------------|
/// | `10`      | < 0 or > 10 (outside 0...10)       |
/// | `10:`     | < 10 (outside 10...∞)              |
/// | `~:10`    | > 10 (outside -∞...10)             |
/// | `10:20`   | < 10 or > 20 (outside 10...20)     |
/// | `@10:20`  | ≥ 10 and ≤ 20 (inside 10...20)     |
///
/// The endpoints belong to the range, so a value equal to an endpoint does not alert (unless `@`).
/// `start` must not be above `end`; anything else is a ``ThresholdRange/SyntaxError``.
public struct ThresholdRange: Sendable, Equatable, CustomStringConvertible {
    /// The lower bound; nil is -∞ (`~`).
    public var start: Double?
    /// The upper bound; nil is +∞ (nothing after `:`).
    public var end: Double?
    /// `@`: alert when the value is inside the range instead of outside it.
    public var inverted: Bool

    /// What is wrong with a threshold's text.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let text: String
        public let reason: String
        public var description: String { "invalid threshold \"\(text)\": \(reason)" }
    }

    /// Longest threshold text accepted: a threshold is two numbers, not a document.
    static let maxLength = 64

    public init(start: Double? = 0, end: Double?, inverted: Bool = false) {
        self.start = start
        self.end = end
        self.inverted = inverted
    }

    /// Parses `[@][start:][end]` as the guidelines define it.
    public init(parsing text: String) throws(SyntaxError) {
        func fail(_ reason: String) -> SyntaxError { SyntaxError(text: text, reason: reason) }
        guard !text.isEmpty else { throw fail("empty") }
        guard text.utf8.count <= Self.maxLength else { throw fail("longer than \(Self.maxLength) characters") }
        var body = Substring(text)
        inverted = body.first == "@"
        if inverted { body = body.dropFirst() }
        let startText: Substring?
        let endText: Substring
        let colons = body.filter { $0 == ":" }.count
        guard colons <= 1 else { throw fail("more than one \":\"") }
        if let colon = body.firstIndex(of: ":") {
            startText = body[..<colon]
            endText = body[body.index(after: colon)...]
        } else {
            startText = nil
            endText = body
        }
        switch startText {
        case nil: start = 0
        case "~": start = nil
        case let s?:
            guard let value = Self.number(s) else {
                throw fail(s.isEmpty ? "nothing before \":\" (write ~ for minus infinity)" : "\"\(s)\" is not a number")
            }
            start = value
        }
        if endText.isEmpty {
            // `10:` has no end; a bare `@` or `` has nothing at all.
            guard startText != nil else { throw fail("no end value") }
            end = nil
        } else {
            guard let value = Self.number(endText) else { throw fail("\"\(endText)\" is not a number") }
            end = value
        }
        if let start, let end, start > end { throw fail("start \(Self.format(start)) is above end \(Self.format(end))") }
    }

    /// A plain decimal number (`-1`, `2.5`, `.5`): no exponents, no `inf`/`nan`, no `+`, no spaces.
    static func number(_ text: Substring) -> Double? {
        var digits = 0
        var dots = 0
        for (i, c) in text.enumerated() {
            if c == "-" && i == 0 { continue }
            if c == "." {
                dots += 1
                continue
            }
            guard c.isASCII, c.isNumber else { return nil }
            digits += 1
        }
        guard digits > 0, dots <= 1 else { return nil }
        return Double(text.hasPrefix(".") ? "0" + text : text.hasPrefix("-.") ? "-0" + text.dropFirst() : text)
    }

    /// Whether `value` alerts against this range.
    public func alerts(_ value: Double) -> Bool {
        let inside = (start.map { value >= $0 } ?? true) && (end.map { value <= $0 } ?? true)
        return inverted ? inside : !inside
    }

    /// The canonical text, parseable again: `10`, `10:`, `~:10`, `@10:20`.
    public var description: String {
        var text = inverted ? "@" : ""
        switch (start, end) {
        case (0?, let end?): text += Self.format(end)
        case (let start, let end):
            text += (start.map(Self.format) ?? "~") + ":" + (end.map(Self.format) ?? "")
        }
        return text
    }

    /// A number as perfdata and ranges write it: no exponent, no trailing `.0`.
    static func format(_ value: Double) -> String { Perfdata.number(value) }
}

/// A check's warning and critical ranges (`-w`, `-c`), either optional.
public struct Thresholds: Sendable, Equatable {
    public var warning: ThresholdRange?
    public var critical: ThresholdRange?

    public init(warning: ThresholdRange? = nil, critical: ThresholdRange? = nil) {
        self.warning = warning
        self.critical = critical
    }

    /// CRITICAL if the critical range alerts, else WARNING if the warning range does, else OK.
    public func status(of value: Double) -> PluginStatus {
        if critical?.alerts(value) == true { return .critical }
        if warning?.alerts(value) == true { return .warning }
        return .ok
    }
}
