/// IMAP message flags as the index stores them: system flags in canonical spelling, then
/// keywords, no duplicates (flags are case-insensitive), space-separated in the `flags` column,
/// with `\Seen` and `\Deleted` also in the indexed boolean columns `seen` and `deleted`
/// (`Columns`), so that unseen counts and EXPUNGE are index lookups.
enum MessageFlags {
    static let system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]

    /// Canonicalises `flags`; drops `\Recent` (session state, never stored); refuses non-atoms.
    static func normalize(_ flags: [String]) throws(StoreError) -> [String] {
        var seen = Set<String>()
        var systemFlags: [String] = []
        var others: [String] = []
        for flag in flags {
            let lower = flag.lowercased()
            if let canonical = system.first(where: { $0.lowercased() == lower }) {
                if seen.insert(lower).inserted { systemFlags.append(canonical) }
                continue
            }
            if lower == "\\recent" { continue }
            let atom = flag.hasPrefix("\\") ? flag.dropFirst() : Substring(flag)
            guard (1...255).contains(atom.utf8.count), atom.utf8.allSatisfy(isAtomChar) else {
                throw .invalidFlag(flag)
            }
            if seen.insert(lower).inserted { others.append(flag) }
        }
        systemFlags.sort { system.firstIndex(of: $0)! < system.firstIndex(of: $1)! }
        return systemFlags + others
    }

    static func encode(_ flags: [String]) -> String { flags.joined(separator: " ") }

    /// The values of a message row's flag columns for a normalized flag list. Every statement that
    /// writes `message.flags` writes `seen` and `deleted` from the same `Columns`, so they never
    /// disagree (`StoreSchema` store.6).
    struct Columns: Sendable, Hashable {
        let text: String
        let seen: Bool
        let deleted: Bool

        init(_ flags: [String]) {
            text = MessageFlags.encode(flags)
            seen = flags.contains("\\Seen")
            deleted = flags.contains("\\Deleted")
        }
    }

    static func decode(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    /// Maildir info letters (`D F R S T`, in ASCII order) for the system flags present, or nil
    /// when there are no flags at all (then the message goes to `new/`).
    static func maildirInfo(_ flags: [String]) -> String? {
        guard !flags.isEmpty else { return nil }
        let letters: [(String, Character)] = [
            ("\\Draft", "D"), ("\\Flagged", "F"), ("\\Answered", "R"), ("\\Seen", "S"), ("\\Deleted", "T"),
        ]
        return String(letters.filter { flags.contains($0.0) }.map(\.1))
    }

    /// RFC 9051 ATOM-CHAR: any CHAR except atom-specials (`( ) { SP CTL % * " \ ]`).
    private static func isAtomChar(_ byte: UInt8) -> Bool {
        guard byte > 0x20, byte < 0x7F else { return false }
        return !"(){%*\"\\]".utf8.contains(byte)
    }
}
