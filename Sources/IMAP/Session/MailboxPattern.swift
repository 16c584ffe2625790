/// A LIST pattern (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the delimiter;
/// the reference is prefixed; `INBOX` matches case-insensitively.
struct MailboxPattern: Sendable {
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
