import MIME
import Store

extension IMAPSession {
    /// SEARCH and UID SEARCH (RFC 9051 §6.4.4), ESEARCH results (RFC 4731), SAVE (RFC 5182),
    /// MODSEQ (RFC 7162 §3.1.5).
    func search(_ tag: String, _ command: IMAPSearchCommand, uid: Bool) async throws {
        // RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
        if command.returnOptions?.contains(.save) == true { savedSearch = [] }
        // Evaluate against the current flags (RFC 2180 §4.1.1); removals stay held when by number.
        try await synchronize(allowExpunge: uid)
        guard let current = view else { return }
        if let charset = command.charset, charset != "UTF-8", charset != "US-ASCII" {
            no(tag, code: .badCharset(["UTF-8", "US-ASCII"]), "Unsupported charset")
            return
        }
        if SearchEvaluator.mentionsModSeq(command.key) { enableCondStore() }
        // Flag, UID and sequence keys (SEARCH UNSEEN, the common case) need nothing beyond the view.
        let needsRows = SearchEvaluator.needsMessageRow(command.key)
        let rows = needsRows ? try await backend.store.messages(mailboxID: current.mailboxID, uids: current.uids) : []
        let stored = Dictionary(rows.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        let evaluator = SearchEvaluator(
            largestSequence: UInt32(current.count), largestUID: current.uids.last ?? 0, saved: savedSearch,
            recent: current.recent)
        var matches: [TargetMessage] = []
        var modSeqs: [Int64] = []
        for (index, value) in current.uids.enumerated() where state != .logout {
            guard let state = current.states[value], !current.isExpungedPending(value) else { continue }
            let message = stored[value]
            if needsRows && message == nil { continue }
            let candidate = SearchCandidate(
                sequence: index + 1, state: state, size: message?.size ?? 0, internalDate: message?.internalDate ?? 0)
            // Loaded at most once each, and only when a key needs them.
            var header: MIMEMessage??
            var full: MIMEMessage??
            let path = message?.path
            let matched = await evaluator.matches(command.key, candidate) { headerOnly in
                guard let path else { return nil }
                if let full { return full }
                if headerOnly, let header { return header }
                let bytes = try? await (headerOnly ? Self.readMessageHeader(path) : Self.readMessage(path))
                let parsed = bytes.map { MIMEMessage($0) }
                if headerOnly { header = .some(parsed) } else { full = .some(parsed) }
                return parsed
            }
            if matched {
                matches.append(TargetMessage(sequence: index + 1, uid: value))
                modSeqs.append(state.modSeq)
            }
        }
        let numbers = matches.map { uid ? $0.uid : UInt32($0.sequence) }
        let mentions = SearchEvaluator.mentionsModSeq(command.key)
        respond(tag, command, numbers: numbers, uids: matches.map(\.uid), modSeqs: modSeqs, mentionsModSeq: mentions, uid: uid)
        try await synchronize(allowExpunge: uid)
        ok(tag, uid ? "UID SEARCH completed" : "SEARCH completed")
    }

    /// `modSeqs` are the matches' modseqs, in match order; MODSEQ is reported when the key named
    /// one (RFC 7162 §3.1.5): the highest of the messages the response returns.
    private func respond(
        _ tag: String, _ command: IMAPSearchCommand, numbers: [UInt32], uids: [UInt32], modSeqs: [Int64],
        mentionsModSeq: Bool, uid: Bool
    ) {
        let highest = mentionsModSeq ? modSeqs.max().map { UInt64(max(0, $0)) } : nil
        guard command.returnOptions != nil || rev2 else {
            emit(.data(.search(numbers, modSeq: highest)))
            return
        }
        var options = Set(command.returnOptions ?? [])
        if options.isEmpty { options = [.all] }
        if options.contains(.save) {
            // RFC 5182 §2.1: MIN or MAX alone with SAVE saves just that message.
            let onlyEnds = !options.contains(.all) && !options.contains(.count)
            if onlyEnds && (options.contains(.min) || options.contains(.max)) {
                var kept: Set<UInt32> = []
                if options.contains(.min), let first = uids.first { kept.insert(first) }
                if options.contains(.max), let last = uids.last { kept.insert(last) }
                savedSearch = kept
            } else {
                savedSearch = Set(uids)
            }
            options.remove(.save)
            if options.isEmpty { return }
        }
        var modSeq = highest
        if mentionsModSeq, !options.contains(.all), !options.contains(.count), !modSeqs.isEmpty {
            // Only MIN and/or MAX: the highest modseq among those returned (RFC 4731 §3.2, RFC 7162 §3.1.5).
            var returned: [Int64] = []
            if options.contains(.min) { returned.append(modSeqs[0]) }
            if options.contains(.max) { returned.append(modSeqs[modSeqs.count - 1]) }
            modSeq = returned.max().map { UInt64(max(0, $0)) }
        }
        var response = IMAPESearchResponse(tag: tag, uid: uid, modSeq: modSeq)
        if options.contains(.min) { response.min = numbers.first }
        if options.contains(.max) { response.max = numbers.last }
        if options.contains(.all), !numbers.isEmpty { response.all = IMAPSequenceSet(Self.ranges(numbers)) }
        if options.contains(.count) { response.count = UInt32(numbers.count) }
        emit(.data(.esearch(response)))
    }
}
