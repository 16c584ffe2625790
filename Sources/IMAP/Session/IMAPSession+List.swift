import Store

extension IMAPSession {
    /// LIST (RFC 9051 §6.3.9), extended by RFC 5258 (selection and return options, several
    /// patterns), RFC 5819 (RETURN STATUS), RFC 6154 (SPECIAL-USE) and RFC 3348 (CHILDREN).
    func list(_ tag: String, _ command: IMAPListCommand) async throws {
        let reference = command.reference.decoded(utf8: utf8 || rev2) ?? ""
        let patterns = command.patterns.map { $0.decoded(utf8: utf8 || rev2) ?? "" }
        guard (patterns + [reference]).allSatisfy({ $0.utf8.count <= Self.maxPatternLength }) else {
            bad(tag, "Mailbox pattern too long")
            return
        }
        // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root name.
        if !command.isExtended, patterns == [""] {
            emit(.data(.list(IMAPListItem(attributes: ["\\Noselect"], delimiter: Self.delimiter, name: ""))))
            ok(tag, "LIST completed")
            return
        }
        let selectSubscribed = command.selectOptions.contains(.subscribed)
        let selectSpecialUse = command.selectOptions.contains(.specialUse)
        let recursive = command.selectOptions.contains(.recursiveMatch)
        if recursive && !selectSubscribed {
            // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option.
            bad(tag, "RECURSIVEMATCH needs SUBSCRIBED")
            return
        }
        let returnSubscribed = selectSubscribed || command.returnOptions.contains(.subscribed)
        let statusItems = command.returnOptions.compactMap { option -> [IMAPStatusAttribute]? in
            if case .status(let items) = option { items } else { nil }
        }.first
        let mailboxes = try await backend.store.mailboxes(accountID: accountID)
        let matchers = patterns.map { MailboxPattern(reference: reference, pattern: $0, delimiter: Self.delimiter) }
        func matched(_ name: String) -> Bool { matchers.contains { $0.matches(name) } }
        guard selectSubscribed else {
            for mailbox in mailboxes where matched(mailbox.name) {
                if selectSpecialUse && mailbox.specialUse == nil { continue }
                var attributes = attributes(of: mailbox, among: mailboxes)
                if returnSubscribed && mailbox.subscribed { attributes.append("\\Subscribed") }
                emit(.data(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: mailbox.name))))
                if let statusItems { emit(.data(.status(mailbox: mailbox.name, try await statusValues(mailbox, statusItems)))) }
            }
            ok(tag, "LIST completed")
            return
        }
        // RFC 5258 §3.1, RFC 9051 §6.3.9.1: subscribed names, whether or not the mailbox exists (else
        // \NonExistent); with RECURSIVEMATCH also each parent of a subscribed name the patterns do not
        // match, with CHILDINFO, even when the parent is not subscribed or does not exist.
        let subscribed = Set(try await backend.store.subscriptions(accountID: accountID))
        var candidates = subscribed
        var parentsOfUnmatched: Set<String> = []
        if recursive {
            for name in subscribed where !matched(name) {
                for parent in Self.parents(of: name) { parentsOfUnmatched.insert(parent) }
            }
            candidates.formUnion(parentsOfUnmatched)
        }
        let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in candidates.sorted() where matched(name) {
            let mailbox = byName[name]
            if selectSpecialUse && mailbox?.specialUse == nil { continue }
            var attributes = mailbox.map { self.attributes(of: $0, among: mailboxes) } ?? ["\\NonExistent"]
            if subscribed.contains(name) { attributes.append("\\Subscribed") }
            let childInfo = parentsOfUnmatched.contains(name) ? ["SUBSCRIBED"] : []
            emit(.data(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: name, childInfo: childInfo))))
            if let statusItems, let mailbox, subscribed.contains(name) {
                emit(.data(.status(mailbox: name, try await statusValues(mailbox, statusItems))))
            }
        }
        ok(tag, "LIST completed")
    }

    /// Patterns and references longer than any mailbox name are refused.
    static let maxPatternLength = 1000

    /// LSUB (RFC 3501 §6.3.9): subscribed mailboxes matching the pattern.
    func lsub(_ tag: String, _ reference: IMAPMailboxName, _ pattern: IMAPMailboxName) async throws {
        guard reference.bytes.count <= Self.maxPatternLength, pattern.bytes.count <= Self.maxPatternLength else {
            bad(tag, "Mailbox pattern too long")
            return
        }
        let matcher = MailboxPattern(
            reference: reference.decoded(utf8: utf8 || rev2) ?? "", pattern: pattern.decoded(utf8: utf8 || rev2) ?? "",
            delimiter: Self.delimiter)
        let mailboxes = try await backend.store.mailboxes(accountID: accountID)
        let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let subscribed = Set(try await backend.store.subscriptions(accountID: accountID))
        // RFC 3501 §6.3.9: a parent of a subscribed name that `%` stops at is listed as \Noselect
        // when the parent itself is not subscribed.
        var names: [String: [String]] = [:]
        for name in subscribed {
            if matcher.matches(name) {
                names[name] = byName[name].map { self.attributes(of: $0, among: mailboxes) } ?? ["\\Noselect"]
            } else {
                for parent in Self.parents(of: name) where !subscribed.contains(parent) && matcher.matches(parent) {
                    names[parent] = ["\\Noselect"]
                }
            }
        }
        for (name, flags) in names.sorted(by: { $0.key < $1.key }) {
            emit(.data(.lsub(IMAPListItem(attributes: flags, delimiter: Self.delimiter, name: name))))
        }
        ok(tag, "LSUB completed")
    }

    /// `\HasChildren`/`\HasNoChildren` (RFC 3348) and the special-use attribute (RFC 6154).
    func attributes(of mailbox: MailboxInfo, among all: [MailboxInfo]) -> [String] {
        var attributes = [hasChild(of: mailbox.name, in: all, where: { _ in true }) ? "\\HasChildren" : "\\HasNoChildren"]
        if let use = mailbox.specialUse { attributes.append(use.rawValue) }
        return attributes
    }

    func attributes(of mailbox: MailboxInfo) async throws -> [String] {
        attributes(of: mailbox, among: try await backend.store.mailboxes(accountID: accountID))
    }

    /// The names above `name` in the hierarchy, nearest last: `a/b/c` → `a`, `a/b`.
    static func parents(of name: String) -> [String] {
        var parents: [String] = []
        var index = name.startIndex
        while let next = name[index...].firstIndex(of: delimiter) {
            if next > name.startIndex { parents.append(String(name[..<next])) }
            index = name.index(after: next)
        }
        return parents
    }

    private func hasChild(of name: String, in all: [MailboxInfo], where condition: (MailboxInfo) -> Bool) -> Bool {
        let prefix = name + String(Self.delimiter)
        return all.contains { $0.name.hasPrefix(prefix) && condition($0) }
    }
}

/// A LIST pattern (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the delimiter;
/// the reference is prefixed; `INBOX` matches case-insensitively.
struct MailboxPattern {
    let pattern: [Character]
    let delimiter: Character

    init(reference: String, pattern: String, delimiter: Character) {
        var full = pattern.first == delimiter || reference.isEmpty ? pattern : reference + pattern
        if full.count >= 5, full.prefix(5).uppercased() == "INBOX",
            full.count == 5 || full[full.index(full.startIndex, offsetBy: 5)] == delimiter
        {
            full = "INBOX" + full.dropFirst(5)
        }
        // `**` matches what `*` does: collapsing runs keeps hostile patterns cheap.
        var collapsed: [Character] = []
        for symbol in full where !(symbol == "*" && collapsed.last == "*") { collapsed.append(symbol) }
        self.pattern = collapsed
        self.delimiter = delimiter
    }

    /// Linear-space dynamic programming over (pattern, name) positions: O(pattern × name) time,
    /// no recursion, so no pattern can exhaust the stack.
    func matches(_ name: String) -> Bool {
        let name = Array(name)
        // matched[n]: the pattern so far matches the first n characters of the name.
        var matched = [Bool](repeating: false, count: name.count + 1)
        matched[0] = true
        for symbol in pattern {
            var next = [Bool](repeating: false, count: name.count + 1)
            switch symbol {
            case "*", "%":
                var reachable = false
                for n in 0...name.count {
                    // `%` cannot extend a match across a hierarchy delimiter.
                    if n > 0 && symbol == "%" && name[n - 1] == delimiter { reachable = false }
                    if matched[n] { reachable = true }
                    next[n] = reachable
                }
            default:
                for n in 0..<name.count where matched[n] && name[n] == symbol { next[n + 1] = true }
            }
            matched = next
        }
        return matched[name.count]
    }
}
