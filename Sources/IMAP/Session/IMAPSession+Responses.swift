import Core

extension IMAPSession {
    mutating func emit(_ response: IMAPResponse) {
        // RFC 9051 §5.1: IMAP4rev2 names are UTF-8, as under UTF8=ACCEPT (RFC 6855 §3).
        encoder.utf8Accept = utf8 || rev2
        encoder.encode(response, into: &output)
    }

    mutating func ok(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.ok, code: code, text)))
    }

    mutating func no(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.no, code: code, text)))
    }

    mutating func bad(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.bad, code: code, text)))
    }

    /// A message's flags as this session reports them: with `\Recent` for IMAP4rev1 clients. A keyword
    /// the client has not been told of yet is announced first, by FLAGS and PERMANENTFLAGS.
    mutating func flags(_ state: MessageState) -> [IMAPFlag] {
        let fresh = state.flags.filter { !$0.hasPrefix("\\") && announcedKeywords[$0.lowercased()] == nil }
        if !fresh.isEmpty, let current = view {
            announceFlags(keywords: Array(announcedKeywords.values) + fresh, readOnly: current.readOnly)
        }
        var flags = state.flags.map(IMAPFlag.init)
        if !rev2, view?.recent.contains(state.uid) == true { flags.append(.recent) }
        return flags
    }

    /// Turns CONDSTORE on for a CONDSTORE-enabling command; the first one issued with a mailbox
    /// selected is told the mailbox's HIGHESTMODSEQ first (RFC 7162 §3.1).
    mutating func enableCondStore() {
        guard !condStore else { return }
        condStore = true
        if let current = view {
            emit(.untagged(IMAPStatusResponse(.ok, code: .highestModSeq(UInt64(current.highestModSeq)), "Highest")))
        }
    }

    /// `* FLAGS` and `* OK [PERMANENTFLAGS]` for the selected mailbox (RFC 9051 §7.3.5, §7.1): the system
    /// flags and `keywords`; any keyword may be created (`\*`) unless the mailbox is read-only.
    mutating func announceFlags(keywords: some Collection<String>, readOnly: Bool) {
        let system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]
        announcedKeywords = [:]
        for keyword in keywords where announcedKeywords[keyword.lowercased()] == nil {
            announcedKeywords[keyword.lowercased()] = keyword
        }
        let unique = announcedKeywords.values.sorted()
        emit(.data(.flags((system + unique).map(IMAPFlag.init))))
        let permanent = readOnly ? [] : system + unique + ["\\*"]
        emit(.untagged(IMAPStatusResponse(.ok, code: .permanentFlags(permanent.map(IMAPFlag.init)), "Flags permitted")))
    }

    mutating func announce(_ updates: [MailboxView.Update]) {
        for update in updates {
            switch update {
            case .expunge(let sequence): emit(.data(.expunge(UInt32(sequence))))
            case .vanished(let uids): emit(.data(.vanished(IMAPSequenceSet(Self.ranges(uids)), earlier: false)))
            case .exists(let count):
                emit(.data(.exists(UInt32(count))))
                if !rev2, view?.readOnly == true { emit(.data(.recent(UInt32(view?.recent.count ?? 0)))) }
            case .flags(let sequence, let state):
                var values: [IMAPFetchValue] = [.flags(flags(state))]
                if condStore || qresync { values.append(.modSeq(UInt64(state.modSeq))) }
                // RFC 7162 §3.1.4: once CONDSTORE is on, unsolicited FETCH carries UID and MODSEQ.
                if condStore || qresync { values.insert(.uid(state.uid), at: 0) }
                emit(.data(.fetch(UInt32(sequence), values)))
            }
        }
    }

    /// Ascending values as merged ranges (`1:3,7`).
    static func ranges(_ values: [UInt32]) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        for value in values.sorted() {
            if let last = ranges.last, value == last.upperBound &+ 1, value != 0 {
                ranges[ranges.count - 1] = last.lowerBound...value
            } else if ranges.last?.contains(value) != true {
                ranges.append(value...value)
            }
        }
        return ranges
    }
}
