import Core
import MIME

/// One message as SEARCH sees it: index data always, the parsed message only when a key needs it.
struct SearchCandidate: Sendable {
    var sequence: Int
    var state: MessageState
    var size: Int64
    var internalDate: Int64
}

/// Decides whether a message matches a search key (RFC 9051 §6.4.4, RFC 3501 §6.4.4; MODSEQ
/// RFC 7162 §3.1.5). Text keys are case-insensitive substring matches on decoded content.
/// `@unchecked Sendable`: its memo of sequence sets is a class used only by the session that owns it.
struct SearchEvaluator: @unchecked Sendable {
    /// The highest message sequence number and UID, for `*`.
    var largestSequence: UInt32
    var largestUID: UInt32
    /// The result saved by `SEARCH RETURN (SAVE)` (RFC 5182), as UIDs.
    var saved: Set<UInt32>
    /// The session's `\Recent` messages (RFC 3501 §2.3.2), as UIDs.
    var recent: Set<UInt32> = []
    /// Sequence sets of the key, normalised once per command rather than once per message.
    private let normalized = NormalizedSets()

    /// Whether evaluating `key` needs the message's index row: its size, internal date, or file.
    static func needsMessageRow(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .larger, .smaller, .before, .on, .since: true
        case .not(let inner): needsMessageRow(inner)
        case .or(let a, let b): needsMessageRow(a) || needsMessageRow(b)
        case .and(let keys): keys.contains(where: needsMessageRow)
        default: cost(key) > 0
        }
    }

    /// Whether `key` mentions the largest modseq it would report (`* SEARCH ... (MODSEQ n)`).
    static func mentionsModSeq(_ key: IMAPSearchKey) -> Bool {
        switch key {
        case .modSeq: true
        case .not(let inner): mentionsModSeq(inner)
        case .or(let a, let b): mentionsModSeq(a) || mentionsModSeq(b)
        case .and(let keys): keys.contains(where: mentionsModSeq)
        default: false
        }
    }

    /// What evaluating a key costs: 0 the index only, 1 the message header, 2 the whole message.
    static func cost(_ key: IMAPSearchKey) -> Int {
        switch key {
        case .body, .text: 2
        case .bcc, .cc, .from, .subject, .to, .header, .sentBefore, .sentOn, .sentSince: 1
        case .not(let inner): cost(inner)
        case .or(let a, let b): max(cost(a), cost(b))
        case .and(let keys): keys.map(cost).max() ?? 0
        default: 0
        }
    }

    /// `key` with the keys of every AND in order of cost, so that `matches` decides most messages
    /// without reading a file; done once per command, not once per message.
    static func cheapestFirst(_ key: IMAPSearchKey) -> IMAPSearchKey {
        switch key {
        case .not(let inner): .not(cheapestFirst(inner))
        case .or(let a, let b): .or(cheapestFirst(a), cheapestFirst(b))
        case .and(let keys): .and(keys.map(cheapestFirst).sorted { cost($0) < cost($1) })
        default: key
        }
    }

    /// Whether the message matches; nil when that depends on content not loaded yet.
    /// `content(headerOnly)` is the message (its header alone may do when `headerOnly`): nil when not
    /// loaded yet, `.some(nil)` when the file cannot be read (then content keys do not match). An
    /// AND's keys are evaluated in their order: `cheapestFirst` puts the cheaper first.
    func matches(_ key: IMAPSearchKey, _ m: SearchCandidate, content: (Bool) -> MIMEMessage??) -> Bool? {
        switch key {
        case .not(let inner): return matches(inner, m, content: content).map { !$0 }
        case .or(let a, let b):
            let first = matches(a, m, content: content)
            if first == true { return true }
            let second = matches(b, m, content: content)
            if second == true { return true }
            return first == nil || second == nil ? nil : false
        case .and(let keys):
            var unknown = false
            for key in keys {
                switch matches(key, m, content: content) {
                case false?: return false
                case nil: unknown = true
                case true?: continue
                }
            }
            return unknown ? nil : true
        default:
            let cost = Self.cost(key)
            guard cost > 0 else { return evaluate(key, m, { nil }) }
            guard let message = content(cost == 1) else { return nil }
            return evaluate(key, m, { message })
        }
    }

    /// One key that is not NOT, OR or AND, with the content it needs.
    private func evaluate(_ key: IMAPSearchKey, _ m: SearchCandidate, _ content: () -> MIMEMessage?) -> Bool {
        switch key {
        case .all: return true
        case .answered: return has(m, "\\Answered")
        case .deleted: return has(m, "\\Deleted")
        case .draft: return has(m, "\\Draft")
        case .flagged: return has(m, "\\Flagged")
        case .seen: return has(m, "\\Seen")
        case .unanswered: return !has(m, "\\Answered")
        case .undeleted: return !has(m, "\\Deleted")
        case .undraft: return !has(m, "\\Draft")
        case .unflagged: return !has(m, "\\Flagged")
        case .unseen: return !has(m, "\\Seen")
        case .new: return recent.contains(m.state.uid) && !has(m, "\\Seen")
        case .recent: return recent.contains(m.state.uid)
        case .old: return !recent.contains(m.state.uid)
        case .keyword(let flag): return has(m, flag.rawValue)
        case .unkeyword(let flag): return !has(m, flag.rawValue)
        case .larger(let size): return m.size > Int64(clamping: size)
        case .smaller(let size): return m.size < Int64(clamping: size)
        case .before(let date): return day(m.internalDate) < date.daysSince1970
        case .on(let date): return day(m.internalDate) == date.daysSince1970
        case .since(let date): return day(m.internalDate) >= date.daysSince1970
        case .sentBefore(let date): return sent(content).map { $0 < date.daysSince1970 } ?? false
        case .sentOn(let date): return sent(content).map { $0 == date.daysSince1970 } ?? false
        case .sentSince(let date): return sent(content).map { $0 >= date.daysSince1970 } ?? false
        case .uid(let set): return contains(set, m.state.uid, largest: largestUID, isUID: true)
        case .sequenceSet(let set):
            return contains(set, UInt32(m.sequence), largest: largestSequence, isUID: false, uid: m.state.uid)
        case .modSeq(let criterion): return m.state.modSeq >= Int64(clamping: criterion.modSeq)
        case .from(let text): return address("From", text, content)
        case .to(let text): return address("To", text, content)
        case .cc(let text): return address("Cc", text, content)
        case .bcc(let text): return address("Bcc", text, content)
        case .subject(let text): return field("Subject", text, content)
        case .header(let name, let text): return field(name, text, content)
        case .body(let text): return content()?.searchText.bodyContains(string(text)) ?? false
        case .text(let text): return content()?.searchText.textContains(string(text)) ?? false
        case .not, .or, .and: return false  // combined by `matches`
        }
    }

    private func has(_ m: SearchCandidate, _ flag: String) -> Bool {
        m.state.flags.contains { $0.caseInsensitiveEquals(flag) }
    }

    /// Days since 1970 of an internal date, in UTC (the zone Posta records internal dates in).
    private func day(_ seconds: Int64) -> Int64 { seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400 }

    private func sent(_ content: () -> MIMEMessage?) -> Int64? {
        guard let value = content()?.header["Date"] else { return nil }
        return SentDate.parse(value)?.daysSince1970
    }

    private func field(_ name: String, _ text: [UInt8], _ content: () -> MIMEMessage?) -> Bool {
        content()?.headerField(name, contains: string(text)) ?? false
    }

    private func address(_ name: String, _ text: [UInt8], _ content: () -> MIMEMessage?) -> Bool {
        content()?.addressField(name, contains: string(text)) ?? false
    }

    private func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private func contains(_ set: IMAPSequenceSet, _ value: UInt32, largest: UInt32, isUID: Bool, uid: UInt32 = 0) -> Bool {
        guard let ranges = normalized.ranges(set, largest: largest) else {
            return saved.contains(isUID ? value : uid)
        }
        // Binary search in the ascending, merged ranges.
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if ranges[middle].contains(value) { return true }
            if ranges[middle].upperBound < value { low = middle + 1 } else { high = middle - 1 }
        }
        return false
    }
}

extension String {
    /// Equal ignoring case; the common case, the same spelling, costs no lowercasing.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        self == other || (utf8.count == other.utf8.count && lowercased() == other.lowercased())
    }
}

/// A per-command memo of normalised sequence sets (used by one session at a time).
private final class NormalizedSets {
    private struct Key: Hashable {
        var set: IMAPSequenceSet
        var largest: UInt32
    }

    private var cache: [Key: [ClosedRange<UInt32>]?] = [:]

    func ranges(_ set: IMAPSequenceSet, largest: UInt32) -> [ClosedRange<UInt32>]? {
        let key = Key(set: set, largest: largest)
        if let known = cache[key] { return known }
        let ranges = set.normalized(largest: largest)
        cache[key] = .some(ranges)
        return ranges
    }
}
