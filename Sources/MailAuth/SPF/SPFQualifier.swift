/// A directive's qualifier (RFC 7208 §4.6.2): the result when its mechanism matches.
enum SPFQualifier: Character, Hashable, Sendable {
    case pass = "+"
    case fail = "-"
    case softfail = "~"
    case neutral = "?"

    var result: SPFResult {
        switch self {
        case .pass: .pass
        case .fail: .fail
        case .softfail: .softfail
        case .neutral: .neutral
        }
    }
}
