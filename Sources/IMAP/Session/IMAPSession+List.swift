import Core

extension IMAPSession {
    /// A LIST whose mailboxes are being read.
    struct ListJob: Sendable {
        var tag: String
        var matchers: [MailboxPattern]
        var selectSubscribed: Bool
        var selectSpecialUse: Bool
        var recursive: Bool
        var returnSubscribed: Bool
        var statusItems: [IMAPStatusAttribute]?

        func matched(_ name: String) -> Bool { matchers.contains { $0.matches(name) } }
    }

    /// LIST (RFC 9051 §6.3.9), extended by RFC 5258 (selection and return options, several
    /// patterns), RFC 5819 (RETURN STATUS), RFC 6154 (SPECIAL-USE) and RFC 3348 (CHILDREN).
    mutating func list(_ tag: String, _ command: IMAPListCommand) {
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
        let recursive = command.selectOptions.contains(.recursiveMatch)
        if recursive && !selectSubscribed {
            // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option.
            bad(tag, "RECURSIVEMATCH needs SUBSCRIBED")
            return
        }
        let statusItems = command.returnOptions.compactMap { option -> [IMAPStatusAttribute]? in
            if case .status(let items) = option { items } else { nil }
        }.first
        let job = ListJob(
            tag: tag, matchers: patterns.map { MailboxPattern(reference: reference, pattern: $0, delimiter: Self.delimiter) },
            selectSubscribed: selectSubscribed, selectSpecialUse: command.selectOptions.contains(.specialUse),
            recursive: recursive, returnSubscribed: selectSubscribed || command.returnOptions.contains(.subscribed),
            statusItems: statusItems)
        request(
            .mailboxList(
                accountID: accountID, subscriptions: selectSubscribed, totals: statusItems.map(Self.needsTotals) ?? false),
            tag: tag, then: .list(job))
    }

    mutating func list(
        _ job: ListJob, _ mailboxes: [MailboxInfo], _ subscribed: Set<String>, _ totals: [Int64: IMAPMailboxTotals]
    ) {
        guard job.selectSubscribed else {
            for mailbox in mailboxes where job.matched(mailbox.name) {
                if job.selectSpecialUse && mailbox.specialUse == nil { continue }
                var attributes = attributes(of: mailbox, among: mailboxes)
                if job.returnSubscribed && mailbox.subscribed { attributes.append("\\Subscribed") }
                emit(.data(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: mailbox.name))))
                if let items = job.statusItems {
                    emit(.data(.status(mailbox: mailbox.name, statusValues(mailbox, items, totals[mailbox.id]))))
                }
            }
            ok(job.tag, "LIST completed")
            return
        }
        // RFC 5258 §3.1, RFC 9051 §6.3.9.1: subscribed names, whether or not the mailbox exists (else
        // \NonExistent); with RECURSIVEMATCH also each parent of a subscribed name the patterns do not
        // match, with CHILDINFO, even when the parent is not subscribed or does not exist.
        var candidates = subscribed
        var parentsOfUnmatched: Set<String> = []
        if job.recursive {
            for name in subscribed where !job.matched(name) {
                for parent in Self.parents(of: name) { parentsOfUnmatched.insert(parent) }
            }
            candidates.formUnion(parentsOfUnmatched)
        }
        let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in candidates.sorted() where job.matched(name) {
            let mailbox = byName[name]
            if job.selectSpecialUse && mailbox?.specialUse == nil { continue }
            var attributes = mailbox.map { self.attributes(of: $0, among: mailboxes) } ?? ["\\NonExistent"]
            if subscribed.contains(name) { attributes.append("\\Subscribed") }
            let childInfo = parentsOfUnmatched.contains(name) ? ["SUBSCRIBED"] : []
            emit(.data(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: name, childInfo: childInfo))))
            if let items = job.statusItems, let mailbox, subscribed.contains(name) {
                emit(.data(.status(mailbox: name, statusValues(mailbox, items, totals[mailbox.id]))))
            }
        }
        ok(job.tag, "LIST completed")
    }

    /// Patterns and references longer than any mailbox name are refused.
    static let maxPatternLength = 1000

    /// LSUB (RFC 3501 §6.3.9): subscribed mailboxes matching the pattern.
    mutating func lsub(_ tag: String, _ reference: IMAPMailboxName, _ pattern: IMAPMailboxName) {
        guard reference.bytes.count <= Self.maxPatternLength, pattern.bytes.count <= Self.maxPatternLength else {
            bad(tag, "Mailbox pattern too long")
            return
        }
        let matcher = MailboxPattern(
            reference: reference.decoded(utf8: utf8 || rev2) ?? "", pattern: pattern.decoded(utf8: utf8 || rev2) ?? "",
            delimiter: Self.delimiter)
        request(.mailboxList(accountID: accountID, subscriptions: true, totals: false), tag: tag, then: .lsub(matcher))
    }

    mutating func lsub(_ tag: String, _ matcher: MailboxPattern, _ mailboxes: [MailboxInfo], _ subscribed: Set<String>) {
        let byName = Dictionary(mailboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
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
        let prefix = mailbox.name + String(Self.delimiter)
        var attributes = [all.contains { $0.name.hasPrefix(prefix) } ? "\\HasChildren" : "\\HasNoChildren"]
        if let use = mailbox.specialUse { attributes.append(use.rawValue) }
        return attributes
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
}
