import Core

/// An address banned from a list: it may neither post (its posts are discarded) nor ask to join.
/// Mailman's form: an exact address, or a regular expression when the pattern starts with `^`.
public struct ListBan: Sendable, Hashable, Codable {
    public var id: Int64
    public var pattern: String

    public init(id: Int64, pattern: String) {
        self.id = id
        self.pattern = pattern
    }

    /// Checks that `pattern` is an address or a valid regular expression.
    public static func validate(_ pattern: String) throws {
        if pattern.hasPrefix("^") {
            _ = try BoundedPattern(pattern)
        } else if (try? MailAddress(parsing: pattern)) == nil {
            throw ListError.invalid("'\(pattern)' is neither an address nor a pattern starting with ^")
        }
    }
}

/// A header match rule: posts with a `field` whose (decoded) value matches `pattern` get
/// `action`, before any moderation (Mailman's header_matches).
public struct HeaderRule: Sendable, Hashable, Codable {
    public var id: Int64
    /// The field name, compared without regard to case.
    public var field: String
    /// A regular expression, matched without regard to case anywhere in the value.
    public var pattern: String
    public var action: ModerationAction

    public init(id: Int64, field: String, pattern: String, action: ModerationAction) {
        self.id = id
        self.field = field
        self.pattern = pattern
        self.action = action
    }

    /// Checks the field name (RFC 5322 §3.6.8 ftext), the pattern and the action (a rule decides:
    /// `defer` is no action).
    public static func validate(field: String, pattern: String, action: ModerationAction) throws {
        guard action != .defer else { throw ListError.invalid("a header rule's action is accept, hold, reject or discard") }
        guard !field.isEmpty, field.utf8.count <= 76,
            field.unicodeScalars.allSatisfy({ (33...126).contains($0.value) && $0 != ":" })
        else { throw ListError.invalid("'\(field)' is not a header field name") }
        _ = try BoundedPattern(pattern)
    }
}

/// A list's bans and header rules, loaded once per post.
public struct ListRules: Sendable {
    public var bans: [ListBan]
    public var headerRules: [HeaderRule]
    private let banPatterns: [(ListBan, BoundedPattern?)]
    private let rulePatterns: [(HeaderRule, BoundedPattern)]

    public init(bans: [ListBan] = [], headerRules: [HeaderRule] = []) {
        self.bans = bans
        self.headerRules = headerRules
        banPatterns = bans.map { ban in (ban, ban.pattern.hasPrefix("^") ? try? BoundedPattern(ban.pattern) : nil) }
        rulePatterns = headerRules.compactMap { rule in (try? BoundedPattern(rule.pattern)).map { (rule, $0) } }
    }

    /// The ban that names `address`, if any.
    public func ban(of address: MailAddress) -> ListBan? {
        let key = address.key
        return banPatterns.first { ban, pattern in
            if let pattern { return pattern.matches(key) }
            return (try? MailAddress(parsing: ban.pattern))?.key == key
        }?.0
    }

    /// The first rule (in the order they were added) that matches one of `fields`.
    public func headerMatch(_ fields: [PostField]) -> HeaderRule? {
        rulePatterns.first { rule, pattern in
            fields.contains { $0.name == rule.field.lowercased() && pattern.matches($0.value) }
        }?.0
    }
}

/// A header field of a post as the rules see it: the name in lower case, the value unfolded and
/// RFC 2047-decoded, at most `PostField.maxValue` characters.
public struct PostField: Sendable, Hashable {
    public static let maxValue = 4096
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = String(value.prefix(Self.maxValue))
    }
}

/// A case-insensitive regular expression run over bounded text: patterns come from the owners,
/// the text from the network. The engine backtracks, so the text is cut to `PostField.maxValue`
/// characters and patterns with a repeated group that itself repeats (`(a+)+`, `(\w*)*`: the
/// forms that take exponential time on a crafted header) are refused.
public struct BoundedPattern: @unchecked Sendable {
    private let regex: Regex<AnyRegexOutput>
    public let source: String

    public init(_ source: String) throws {
        guard !source.isEmpty, source.utf8.count <= 1000 else { throw ListError.invalid("a pattern has 1 to 1000 characters") }
        guard !Self.hasNestedRepetition(source) else {
            throw ListError.invalid("'\(source)' repeats a group that repeats inside: write it without the nesting")
        }
        do {
            regex = try Regex(source).ignoresCase()
        } catch {
            throw ListError.invalid("'\(source)' is not a regular expression: \(error)")
        }
        self.source = source
    }

    /// Whether a group holding a quantifier is itself quantified (`+`, `*`, `{`).
    static func hasNestedRepetition(_ source: String) -> Bool {
        var open: [Bool] = []  // per open group: whether it holds a quantifier
        var escaped = false
        var inClass = false
        var closedRepeating = false
        for character in source {
            defer { if character != ")" { closedRepeating = false } }
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "[": inClass = true
            case "]": inClass = false
            case _ where inClass: continue
            case "(": open.append(false)
            case ")":
                let repeating = open.popLast() ?? false
                if repeating, !open.isEmpty { open[open.count - 1] = true }
                closedRepeating = repeating
                continue
            case "+", "*", "{":
                if closedRepeating { return true }
                if !open.isEmpty { open[open.count - 1] = true }
            default: break
            }
        }
        return false
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        let bounded = text.count > PostField.maxValue ? String(text.prefix(PostField.maxValue)) : text
        return (try? regex.firstMatch(in: bounded)) != nil
    }
}
