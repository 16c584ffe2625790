import Core

extension IMAPSession {
    /// A SEARCH on its way: messages are evaluated in batches of `searchBatchSize`; a batch's index
    /// rows are loaded when a key needs them, then the messages the index alone cannot decide are
    /// evaluated against their content by one effect (`IMAPContentSearch`, off the event loop).
    struct SearchJob: Sendable {
        var tag: String
        var command: IMAPSearchCommand
        var uid: Bool
        var evaluator: SearchEvaluator?
        /// The view's messages at the start (sequence number n is `uids[n - 1]`).
        var uids: [UInt32] = []
        var next = 0
        /// The current batch: index rows, and the verdicts of messages decided by their content.
        var rows: [UInt32: StoredMessage] = [:]
        var decided: [UInt32: Bool]?
        var matches: [TargetMessage] = []
        var modSeqs: [Int64] = []
        /// A key needs the messages' index rows (size, internal date, file); content keys always do.
        var needsRow = false
        /// No key needs a row, so the view alone decides (flags, UIDs, numbers, modseqs): one batch of
        /// every message, with no effect.
        var viewOnly = false
    }

    /// SEARCH and UID SEARCH (RFC 9051 §6.4.4), ESEARCH results (RFC 4731), SAVE (RFC 5182),
    /// MODSEQ (RFC 7162 §3.1.5).
    mutating func search(_ tag: String, _ command: IMAPSearchCommand, uid: Bool) {
        // RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
        if command.returnOptions?.contains(.save) == true { savedSearch = [] }
        // Evaluate against the current flags (RFC 2180 §4.1.1); removals stay held when by number.
        synchronize(tag, allowExpunge: uid, then: .search(SearchJob(tag: tag, command: command, uid: uid)))
    }

    /// After the first synchronisation: checks, then the first batch.
    mutating func evaluate(_ job: SearchJob) {
        guard let current = view else { return }
        var job = job
        if let charset = job.command.charset, charset != "UTF-8", charset != "US-ASCII" {
            no(job.tag, code: .badCharset(["UTF-8", "US-ASCII"]), "Unsupported charset")
            return
        }
        if SearchEvaluator.mentionsModSeq(job.command.key) { enableCondStore() }
        job.command.key = SearchEvaluator.cheapestFirst(job.command.key)
        job.needsRow = SearchEvaluator.needsMessageRow(job.command.key)
        job.viewOnly = !job.needsRow
        job.evaluator = SearchEvaluator(
            largestSequence: UInt32(current.count), largestUID: current.uids.last ?? 0, saved: savedSearch, recent: current.recent
        )
        job.uids = current.uids
        nextBatch(job)
    }

    mutating func search(_ job: SearchJob, _ result: IMAPEffectResult) {
        var job = job
        switch result {
        case .messages(let loaded, _):
            for message in loaded { job.rows[message.row.uid] = message.row }
        case .searched(let verdicts):
            job.decided = verdicts
        default:
            emit(.tagged(tag: job.tag, Self.status(for: .internalError)))
            return
        }
        decideBatch(job)
    }

    /// Messages per SEARCH batch: a batch holds index rows only (content is read one message at a
    /// time inside the effect), so it can be larger than FETCH's, and each batch costs two effects.
    static let searchBatchSize = 1024

    private var batchEnd: (SearchJob) -> Int {
        { $0.viewOnly ? $0.uids.count : min($0.uids.count, $0.next + Self.searchBatchSize) }
    }

    /// Starts the next batch: rows first when a key needs them.
    private mutating func nextBatch(_ job: SearchJob) {
        var job = job
        job.rows = [:]
        job.decided = nil
        guard job.next < job.uids.count, let current = view else { return searched(job) }
        guard job.needsRow else { return decideBatch(job) }
        let batch = Array(job.uids[job.next..<batchEnd(job)])
        request(
            .loadMessages(mailboxID: current.mailboxID, uids: batch, content: .none, byteBudget: Self.fetchByteBudget),
            tag: job.tag, then: .search(job))
    }

    /// Has the batch's messages that index data cannot decide evaluated against their content (once
    /// per batch), then records the batch's matches and moves on.
    private mutating func decideBatch(_ job: SearchJob) {
        var job = job
        guard let evaluator = job.evaluator, let current = view else { return }
        let range = job.next..<batchEnd(job)
        if job.decided == nil && !job.viewOnly {
            // Content keys need the index row (the file's path), so every candidate here has one.
            let undecided = job.uids[range].compactMap { value -> IMAPContentSearch.Item? in
                guard let candidate = Self.candidate(job, value, in: current), let row = job.rows[value],
                    evaluator.matches(job.command.key, candidate, content: { _ in nil }) == nil
                else { return nil }
                return IMAPContentSearch.Item(candidate: candidate, row: row)
            }
            if !undecided.isEmpty {
                let search = IMAPContentSearch(key: job.command.key, evaluator: evaluator, items: undecided)
                request(.searchContent(search), tag: job.tag, then: .search(job))
                return
            }
        }
        // A search the view alone decides ran with no effect since `evaluate`: the view is the one
        // `job.uids` was taken from, so a message's sequence number is its position.
        for (position, value) in zip(range, job.uids[range]) {
            let known = job.viewOnly ? position + 1 : nil
            guard let candidate = Self.candidate(job, value, in: current, sequence: known) else { continue }
            let matched =
                job.decided?[value] ?? evaluator.matches(job.command.key, candidate, content: { _ in .some(nil) }) ?? false
            if matched {
                job.matches.append(TargetMessage(sequence: candidate.sequence, uid: value))
                job.modSeqs.append(candidate.state.modSeq)
            }
        }
        job.next = batchEnd(job)
        nextBatch(job)
    }

    /// A message of the batch as SEARCH sees it; nil when it is not searched (expunged, or its row is
    /// gone while a key needs it).
    private static func candidate(_ job: SearchJob, _ uid: UInt32, in current: MailboxView, sequence known: Int? = nil)
        -> SearchCandidate?
    {
        guard let state = current.states[uid], !current.isExpungedPending(uid),
            let sequence = known ?? current.sequence(of: uid)
        else { return nil }
        guard job.needsRow else { return SearchCandidate(sequence: sequence, state: state, size: 0, internalDate: 0) }
        guard let message = job.rows[uid] else { return nil }
        return SearchCandidate(sequence: sequence, state: state, size: message.size, internalDate: message.internalDate)
    }

    private mutating func searched(_ job: SearchJob) {
        let numbers = job.matches.map { job.uid ? $0.uid : UInt32($0.sequence) }
        let mentions = SearchEvaluator.mentionsModSeq(job.command.key)
        respond(
            job.tag, job.command, numbers: numbers, uids: job.matches.map(\.uid), modSeqs: job.modSeqs, mentionsModSeq: mentions,
            uid: job.uid)
        let reply = IMAPStatusResponse(.ok, job.uid ? "UID SEARCH completed" : "SEARCH completed")
        synchronize(job.tag, allowExpunge: job.uid, then: .reply(.tagged(tag: job.tag, reply)))
    }

    /// `modSeqs` are the matches' modseqs, in match order; MODSEQ is reported when the key named
    /// one (RFC 7162 §3.1.5): the highest of the messages the response returns.
    private mutating func respond(
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
