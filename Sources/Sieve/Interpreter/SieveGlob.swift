/// RFC 5228 §2.7.1 `:matches`: `*` matches any run of characters, `?` exactly one, `\` quotes the next
/// character. Matching walks the pattern with a single backtrack point (the last `*`), so it is
/// O(pattern × value) in the worst case: no exponential blow-up on patterns like `*a*a*a*b`.
/// The substrings matched by each wildcard are returned for RFC 5229 §3.2 match variables.
struct SieveGlob: Sendable {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case one
        case any
    }

    let tokens: [Token]

    init(_ pattern: String) {
        var tokens: [Token] = []
        var iterator = pattern.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            switch scalar {
            case "*":
                // Consecutive stars match what one star matches; keep each for the match variables.
                tokens.append(.any)
            case "?":
                tokens.append(.one)
            case "\\":
                if let quoted = iterator.next() { tokens.append(.literal(quoted)) }
            default:
                tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    /// The wildcards' substrings in pattern order when the whole value matches; nil otherwise.
    func match(_ value: String, comparator: SieveComparator) -> [String]? {
        let text = Array(value.unicodeScalars)
        let count = tokens.count
        var starts = [Int](repeating: 0, count: count)
        var ends = [Int](repeating: 0, count: count)
        var p = 0
        var t = 0
        var starToken = -1
        var starText = 0
        while t < text.count {
            if p < count {
                switch tokens[p] {
                case .one:
                    starts[p] = t
                    ends[p] = t + 1
                    p += 1
                    t += 1
                    continue
                case .literal(let scalar) where comparator.equal(scalar, text[t]):
                    p += 1
                    t += 1
                    continue
                case .any:
                    starts[p] = t
                    ends[p] = t
                    starToken = p
                    starText = t
                    p += 1
                    continue
                default:
                    break
                }
            }
            // Mismatch (or pattern exhausted): let the last star take one more character.
            guard starToken >= 0 else { return nil }
            starText += 1
            ends[starToken] = starText
            p = starToken + 1
            t = starText
        }
        while p < count, tokens[p] == .any {
            starts[p] = t
            ends[p] = t
            p += 1
        }
        guard p == count else { return nil }
        var captures: [String] = []
        for (index, token) in tokens.enumerated() where token == .any || token == .one {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: text[starts[index]..<ends[index]])
            captures.append(String(scalars))
        }
        return captures
    }
}
