/// RFC 5231 §4: the relational operators of `:count` and `:value`.
enum SieveRelation: String, Sendable, Hashable {
    case gt, ge, lt, le, eq, ne

    /// Whether an ordering result satisfies the relation.
    func holds(_ order: SieveOrder) -> Bool {
        switch self {
        case .gt: order == .greater
        case .ge: order != .less
        case .lt: order == .less
        case .le: order != .greater
        case .eq: order == .equal
        case .ne: order != .equal
        }
    }
}

/// The result of a comparator's ordering function (RFC 4790 §4.2).
enum SieveOrder: Sendable, Hashable {
    case less, equal, greater
}

/// RFC 5228 §2.7.1, RFC 5231 §3: the match type of a test.
enum SieveMatchType: Sendable, Hashable {
    case `is`
    case contains
    case matches
    case count(SieveRelation)
    case value(SieveRelation)
}

/// RFC 5228 §2.7.4, RFC 5233 §4: the part of an address a test looks at.
enum SieveAddressPart: String, Sendable, Hashable {
    case all, localpart, domain, user, detail
}

/// RFC 5228 §2.7.3: the comparators known (RFC 4790 §9).
enum SieveComparator: String, Sendable, Hashable {
    case octet = "i;octet"
    case asciiCasemap = "i;ascii-casemap"
    case asciiNumeric = "i;ascii-numeric"
}

/// Everything a test's optional match arguments selected.
struct SieveMatchSpec: Sendable, Hashable {
    var matchType: SieveMatchType = .is
    var comparator: SieveComparator = .asciiCasemap
    var addressPart: SieveAddressPart = .all
    /// RFC 5260 §6: 1-based field index, counted from the end with `last`.
    var index: Int?
    var last = false
}
