import Foundation
import HTML

/// HTML parts sanitised a moment ago, by message file, part and remote-content choice: the
/// reading page sanitises a part to learn whether remote content was left out, and its frame asks
/// for the same part right after. Message files never change, so an entry never goes stale.
/// Bounded by entries and bytes; the oldest go first.
final class SanitizedParts: @unchecked Sendable {
    struct Key: Hashable {
        var path: String
        var part: String
        var remote: Bool
    }

    static let maxEntries = 16
    static let maxBytes = 32 << 20

    private let lock = NSLock()
    private var entries: [Key: SanitizedHTML] = [:]
    private var order: [Key] = []
    private var bytes = 0

    /// The sanitised part, made by `make` unless it was made a moment ago.
    func value(_ key: Key, make: () -> SanitizedHTML) -> SanitizedHTML {
        if let known = lock.withLock({ entries[key] }) { return known }
        let made = make()
        let size = made.html.utf8.count
        guard size <= Self.maxBytes / 4 else { return made }
        lock.withLock {
            guard entries[key] == nil else { return }
            entries[key] = made
            order.append(key)
            bytes += size
            while order.count > Self.maxEntries || bytes > Self.maxBytes, !order.isEmpty {
                let oldest = order.removeFirst()
                bytes -= entries.removeValue(forKey: oldest)?.html.utf8.count ?? 0
            }
        }
        return made
    }
}
