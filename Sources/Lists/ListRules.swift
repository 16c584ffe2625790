import Core

/// An address banned from a list: it may neither post (its posts are discarded) nor ask to join.
/// An exact address, or a wildcard pattern (`*@junk.example`, `spam?@example.net`) matched
/// against the whole lower-case address.
public struct ListBan: Sendable, Hashable, Codable {
    public var id: Int64
    public var pattern: String

    public init(id: Int64, pattern: String) {
        self.id = id
        self.pattern = pattern
    }

    /// Checks that `pattern` is an address or a wildcard pattern with an `@`.
    public static func validate(_ pattern: String) throws {
        _ = try WildcardPattern(pattern)
        guard pattern.contains("@") else {
            throw ListError.invalid("'\(pattern)': a ban names an address (`*@domain` for a domain)")
        }
        if !WildcardPattern.hasWildcard(pattern), (try? MailAddress(parsing: pattern)) == nil {
            throw ListError.invalid("'\(pattern)' is neither an address nor a pattern with * or ?")
        }
    }
}

/// A header match rule: posts with a `field` whose (decoded) value contains a match of `pattern`
/// get `action`, before any moderation (Mailman's header_matches, with wildcards for its
/// regular expressions).
public struct HeaderRule: Sendable, Hashable, Codable {
    public var id: Int64
    /// The field name, compared without regard to case.
    public var field: String
    /// A wildcard pattern (`*` any run of characters, `?` one; `\` takes the next literally),
    /// found anywhere in the value, without regard to case.
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
        _ = try WildcardPattern(pattern)
    }
}

/// A list's bans and header rules, loaded once per post.
public struct ListRules: Sendable {
    public var bans: [ListBan]
    public var headerRules: [HeaderRule]
    private let banPatterns: [(ListBan, WildcardPattern)]
    private let rulePatterns: [(HeaderRule, WildcardPattern)]

    public init(bans: [ListBan] = [], headerRules: [HeaderRule] = []) {
        self.bans = bans
        self.headerRules = headerRules
        banPatterns = bans.compactMap { ban in (try? WildcardPattern(ban.pattern)).map { (ban, $0) } }
        rulePatterns = headerRules.compactMap { rule in (try? WildcardPattern("*" + rule.pattern + "*")).map { (rule, $0) } }
    }

    /// The ban that names `address`, if any.
    public func ban(of address: MailAddress) -> ListBan? {
        let key = address.key
        return banPatterns.first { $0.1.matches(key) }?.0
    }

    /// The first rule (in the order they were added) that matches one of `fields`.
    public func headerMatch(_ fields: [PostField]) -> HeaderRule? {
        rulePatterns.first { rule, pattern in
            let name = rule.field.lowercased()
            return fields.contains { $0.name == name && pattern.matches($0.value) }
        }?.0
    }
}

/// A header field of a post as the rules see it: the name in lower case, the value unfolded and
/// RFC 2047-decoded, at most `PostField.maxValue` characters.
public struct PostField: Sendable, Hashable {
    public static let maxValue = 16_384
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name.lowercased()
        self.value = String(value.prefix(Self.maxValue))
    }
}

/// A case-insensitive wildcard pattern: `*` any run of characters, `?` one character, `\` the
/// next character literally; it matches the whole text. Patterns come from the owners, the text
/// from the network, so there are no regular expressions (a backtracking engine takes
/// exponential time on a crafted header): matching is O(text × pattern) at worst, both bounded.
public struct WildcardPattern: Sendable, Hashable {
    enum Token: Hashable {
        case character(Character)
        case one
        case any
    }

    let tokens: [Token]

    public init(_ source: String) throws {
        guard !source.isEmpty, source.count <= 1000 else { throw ListError.invalid("a pattern has 1 to 1000 characters") }
        var tokens: [Token] = []
        var escaped = false
        for character in source.lowercased() {
            if escaped {
                tokens.append(.character(character))
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "*" {
                if tokens.last != .any { tokens.append(.any) }  // ** is *
            } else if character == "?" {
                tokens.append(.one)
            } else {
                tokens.append(.character(character))
            }
        }
        if escaped { tokens.append(.character("\\")) }
        self.tokens = tokens
    }

    static func hasWildcard(_ source: String) -> Bool { source.contains("*") || source.contains("?") }

    /// Whether the whole of `text` (cut to `PostField.maxValue` characters) matches, without
    /// regard to case: the greedy two-cursor match, which goes back only to the last `*`.
    public func matches(_ text: String) -> Bool {
        let text = Array(text.prefix(PostField.maxValue).lowercased())
        var t = 0
        var p = 0
        var star: Int? = nil
        var resume = 0
        while t < text.count {
            if p < tokens.count, tokens[p] == .one || tokens[p] == .character(text[t]) {
                t += 1
                p += 1
            } else if p < tokens.count, tokens[p] == .any {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == .any { p += 1 }
        return p == tokens.count
    }
}
