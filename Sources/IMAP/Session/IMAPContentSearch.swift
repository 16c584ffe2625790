import Core
import MIME

/// SEARCH's content round for one batch (RFC 9051 §6.4.4): the messages their index data could not
/// decide, the key, and what evaluating it needs. The adapter runs it as an effect, off the event
/// loop (`IMAPMailboxStore.search(_:)`): each message's header first when a header key may decide
/// it, its whole file only when still undecided; one message's content in memory at a time.
public struct IMAPContentSearch: Sendable, Equatable {
    struct Item: Sendable {
        var candidate: SearchCandidate
        var row: StoredMessage
    }

    var key: IMAPSearchKey
    /// Used by the effect while the session waits for its result, never by both at once.
    var evaluator: SearchEvaluator
    var items: [Item]

    /// The messages to evaluate, in order.
    public var uids: [UInt32] { items.map(\.row.uid) }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key && a.uids == b.uids }

    /// Whether one message matches, reading its content through `read(row, headerOnly)` (nil: the
    /// file cannot be read, and content keys do not match).
    func matches(_ item: Item, read: (StoredMessage, Bool) async -> [UInt8]?) async -> Bool {
        var header: MIMEMessage??
        var full: MIMEMessage??
        // At most three rounds: index only, then the header, then the whole file (which decides).
        while true {
            var wantsHeader = false
            let verdict = evaluator.matches(key, item.candidate) { headerOnly in
                if let full { return full }
                if headerOnly, let header { return header }
                wantsHeader = wantsHeader || headerOnly
                return nil
            }
            if let verdict { return verdict }
            if full != nil { return false }
            if wantsHeader && header == nil {
                header = .some(await read(item.row, true).map { MIMEMessage($0) })
            } else {
                full = .some(await read(item.row, false).map { MIMEMessage($0) })
            }
        }
    }
}
