import Core

/// Logical lines of a Postfix lookup table source file or aliases file (postmap(1), "INPUT FILE FORMAT";
/// aliases(5)): empty lines, whitespace-only lines and lines whose first non-whitespace character is `#` are
/// ignored; a line that starts with whitespace continues the previous logical line.
struct PostfixLogicalLines {
    static let maxLogicalLine = 256 * 1024

    /// Logical lines with the number of their first physical line.
    static func read(_ bytes: [UInt8], log: inout ProblemLog) -> [(number: Int, text: String)] {
        var result: [(number: Int, text: String)] = []
        var current: (number: Int, text: String)?
        var lines = TextLines(bytes)
        var dropCurrent = false
        while let (number, text) = lines.next() {
            guard let text else {
                log.add(number, TextLines.unreadableReason(lines.maxLength))
                if current != nil { dropCurrent = true }
                continue
            }
            let trimmed = text.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.startIndex != text.startIndex {
                if current == nil {
                    log.add(number, "continuation line without a line to continue: skipped")
                } else if current!.text.utf8.count + text.utf8.count > maxLogicalLine {
                    dropCurrent = true
                } else {
                    current!.text += " " + trimmed
                }
                continue
            }
            if let line = current {
                if dropCurrent {
                    log.add(line.number, "entry with an unreadable or too long line: skipped")
                } else {
                    result.append(line)
                }
            }
            current = (number, String(text))
            dropCurrent = false
        }
        if let line = current {
            if dropCurrent {
                log.add(line.number, "entry with an unreadable or too long line: skipped")
            } else {
                result.append(line)
            }
        }
        return result
    }

    /// Splits a list at commas (and whitespace unless `commasOnly`), keeping double-quoted parts (with their
    /// quotes) together; items are trimmed.
    static func splitList(_ text: some StringProtocol, commasOnly: Bool = false) -> [String] {
        var items: [String] = []
        var item = ""
        var quoted = false
        var escaped = false
        for c in text {
            if escaped {
                item.append(c)
                escaped = false
            } else if c == "\\" && quoted {
                item.append(c)
                escaped = true
            } else if c == "\"" {
                item.append(c)
                quoted.toggle()
            } else if !quoted && (c == "," || (!commasOnly && (c == " " || c == "\t" || c == "\n" || c == "\r"))) {
                items.append(item)
                item = ""
            } else {
                item.append(c)
            }
        }
        items.append(item)
        return items.map { String($0.trimmingWhitespace) }.filter { !$0.isEmpty }
    }
}

/// The key of a `virtual_alias_maps` entry (virtual(5), "TABLE FORMAT").
public enum PostfixAliasKey: Sendable, Hashable {
    /// `user@domain`.
    case address(MailAddress)
    /// `@domain`: every address of the domain not matched otherwise (catch-all).
    case catchAll(domain: String)
    /// A key without `@`: `user` (matches `user@$myorigin` and the local domains), or a domain name, which
    /// declares a virtual alias domain when `virtual_alias_domains` has its default. The caller decides.
    case bareName(String)
}

/// A Postfix `virtual_alias_maps` source file (virtual(5)): `pattern address, address, ...`.
public struct PostfixVirtualAliases: Sendable, Hashable {
    public var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        public var key: PostfixAliasKey
        /// The result addresses as written (`user@domain`, or a bare local name); checked to be addresses when
        /// they contain `@`.
        public var targets: [String]
        public var line: Int
    }

    public static func parse(_ bytes: [UInt8]) -> MigrationParse<PostfixVirtualAliases> {
        var log = ProblemLog()
        var result = PostfixVirtualAliases(entries: [])
        var seen: [PostfixAliasKey: Int] = [:]
        for (number, text) in PostfixLogicalLines.read(bytes, log: &log) {
            let keyText = text.prefix { $0 != " " && $0 != "\t" }
            let value = text[keyText.endIndex...]
            guard let key = aliasKey(keyText) else {
                log.add(number, "key \(ASCII.quoted(keyText)) is not an address, @domain or name: skipped")
                continue
            }
            var targets: [String] = []
            for item in PostfixLogicalLines.splitList(value) {
                if item.contains("@"), !item.hasPrefix("\""), (try? MailAddress(parsing: item)) == nil {
                    log.add(number, "\(ASCII.quoted(keyText)): result \(ASCII.quoted(item)) is not a valid address: left out")
                    continue
                }
                targets.append(item)
            }
            guard !targets.isEmpty else {
                log.add(number, "\(ASCII.quoted(keyText)) has no result address: skipped")
                continue
            }
            // postmap(1): a duplicate key is a warning and the first entry stays.
            if let earlier = seen[key] {
                log.add(number, "\(ASCII.quoted(keyText)) already defined at line \(earlier): skipped (postmap keeps the first)")
                continue
            }
            seen[key] = number
            result.entries.append(Entry(key: key, targets: targets, line: number))
        }
        return MigrationParse(value: result, problems: log.all)
    }

    static func aliasKey(_ text: some StringProtocol) -> PostfixAliasKey? {
        if text.hasPrefix("@") {
            guard let domain = try? DomainName.normalize(String(text.dropFirst())) else { return nil }
            return .catchAll(domain: domain)
        }
        if text.contains("@") {
            guard let address = try? MailAddress(parsing: String(text)) else { return nil }
            return .address(address)
        }
        guard !text.isEmpty, !ASCII.hasControl(text) else { return nil }
        return .bareName(String(text))
    }
}

/// A `virtual_mailbox_domains` (or `virtual_alias_domains`, `relay_domains`) value: the domains it lists.
///
/// postconf(5): the parameter is a list of domain names separated by commas and/or whitespace, `/file/name`
/// patterns (a file with more names) and `type:table` lookup tables whose keys are the domains. This reads the
/// parameter value and, separately, such a file or table source (keys of `key [value]` lines, postmap(1)).
public struct PostfixDomainList: Sendable, Hashable {
    public var domains: [String]
    /// `/file/name` and `type:name` references found in a parameter value: the caller reads them (a
    /// `hash:/etc/postfix/vmailbox` source is the file without `.db`) and passes them to ``parse(file:)``.
    public var references: [String]

    /// Parses the parameter value, e.g. `example.org, example.net hash:/etc/postfix/vdomains`.
    public static func parse(parameter value: String) -> MigrationParse<PostfixDomainList> {
        var log = ProblemLog()
        var result = PostfixDomainList(domains: [], references: [])
        for item in PostfixLogicalLines.splitList(value) {
            if item.hasPrefix("/") || item.contains(":") {
                result.references.append(item)
            } else {
                add(item, line: 0, to: &result, log: &log)
            }
        }
        return MigrationParse(value: result, problems: log.all)
    }

    /// Parses a file of domains (one per line, or the keys of a `key value` table source).
    public static func parse(file bytes: [UInt8]) -> MigrationParse<PostfixDomainList> {
        var log = ProblemLog()
        var result = PostfixDomainList(domains: [], references: [])
        for (number, text) in PostfixLogicalLines.read(bytes, log: &log) {
            add(String(text.prefix { $0 != " " && $0 != "\t" }), line: number, to: &result, log: &log)
        }
        return MigrationParse(value: result, problems: log.all)
    }

    private static func add(_ name: String, line: Int, to result: inout PostfixDomainList, log: inout ProblemLog) {
        guard let domain = try? DomainName.normalize(name) else {
            log.add(line, "\(ASCII.quoted(name)) is not a domain name: skipped")
            return
        }
        if result.domains.contains(domain) {
            log.add(line, "\(domain) is listed twice: the repeat is ignored")
        } else {
            result.domains.append(domain)
        }
    }
}

/// A local aliases(5) file: `name: value, value, ...`.
///
/// Values are addresses or local names; `/file/name` (append to a file), `|command` (pipe) and
/// `:include:/file/name` targets are reported as unsupported and left out; an alias left with no target is
/// skipped. Names and values may be double-quoted (aliases(5): "quoted with double quotes when they contain
/// special characters").
public struct PostfixAliases: Sendable, Hashable {
    public var entries: [Entry]

    public struct Entry: Sendable, Hashable {
        /// The local name, lowercased (aliases(5) names are case-insensitive).
        public var name: String
        public var targets: [String]
        public var line: Int
    }

    public static func parse(_ bytes: [UInt8]) -> MigrationParse<PostfixAliases> {
        var log = ProblemLog()
        var result = PostfixAliases(entries: [])
        var seen: [String: Int] = [:]
        for (number, text) in PostfixLogicalLines.read(bytes, log: &log) {
            guard let (rawName, value) = splitName(text) else {
                log.add(number, "\(ASCII.quoted(text)) is not `name: value`: skipped")
                continue
            }
            let name = unquote(rawName).lowercased()
            guard !name.isEmpty, !name.contains("@"), !ASCII.hasControl(name) else {
                log.add(number, "alias name \(ASCII.quoted(rawName)) is not a local name: skipped")
                continue
            }
            var targets: [String] = []
            // aliases(5): values are separated by commas; a command or file with spaces is quoted.
            for item in PostfixLogicalLines.splitList(value, commasOnly: true) {
                let target = unquote(item)
                if target.hasPrefix("|") {
                    log.add(number, "\(name): command target \(ASCII.quoted(target)) is not supported: left out")
                } else if target.lowercased().hasPrefix(":include:") {
                    log.add(number, "\(name): :include: target \(ASCII.quoted(target)) is not supported: left out")
                } else if target.hasPrefix("/") {
                    log.add(number, "\(name): file target \(ASCII.quoted(target)) is not supported: left out")
                } else if target.contains("@"), (try? MailAddress(parsing: target)) == nil {
                    log.add(number, "\(name): \(ASCII.quoted(target)) is not a valid address: left out")
                } else if !target.isEmpty {
                    targets.append(target)
                }
            }
            guard !targets.isEmpty else {
                log.add(number, "alias \(name) has no supported target: skipped")
                continue
            }
            if let earlier = seen[name] {
                log.add(number, "alias \(name) already defined at line \(earlier): skipped (postalias keeps the first)")
                continue
            }
            seen[name] = number
            result.entries.append(Entry(name: name, targets: targets, line: number))
        }
        return MigrationParse(value: result, problems: log.all)
    }

    /// `name:` then the value; the name may be quoted and contain `:`.
    private static func splitName(_ text: String) -> (Substring, Substring)? {
        var quoted = false
        for index in text.indices {
            let c = text[index]
            if c == "\"" { quoted.toggle() }
            if c == ":" && !quoted { return (text[..<index], text[text.index(after: index)...]) }
        }
        return nil
    }

    private static func unquote(_ text: some StringProtocol) -> String {
        let trimmed = text.trimmingWhitespace
        guard trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") else { return String(trimmed) }
        return String(trimmed.dropFirst().dropLast())
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: Substring {
        let s = Substring(self)
        let start = s.firstIndex { $0 != " " && $0 != "\t" } ?? s.endIndex
        let end = s.lastIndex { $0 != " " && $0 != "\t" }.map { s.index(after: $0) } ?? start
        return start < end ? s[start..<end] : s[start..<start]
    }
}
