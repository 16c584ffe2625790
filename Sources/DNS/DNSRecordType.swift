/// A resource record TYPE (RFC 1035 §3.2.2, RFC 3596 §2.1, RFC 6891 §6.1.1). Types that are
/// not named here keep their number in `unknown`; equality is by number, so
/// `.unknown(1) == .a`.
public enum DNSRecordType: Hashable, Sendable, CustomStringConvertible {
    case a
    case ns
    case cname
    case soa
    case ptr
    case mx
    case txt
    case aaaa
    case opt
    /// RFC 6698 §7.1.
    case tlsa
    case unknown(UInt16)

    public init(rawValue: UInt16) {
        switch rawValue {
        case 1: self = .a
        case 2: self = .ns
        case 5: self = .cname
        case 6: self = .soa
        case 12: self = .ptr
        case 15: self = .mx
        case 16: self = .txt
        case 28: self = .aaaa
        case 41: self = .opt
        case 52: self = .tlsa
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: UInt16 {
        switch self {
        case .a: 1
        case .ns: 2
        case .cname: 5
        case .soa: 6
        case .ptr: 12
        case .mx: 15
        case .txt: 16
        case .aaaa: 28
        case .opt: 41
        case .tlsa: 52
        case .unknown(let value): value
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String {
        switch Self(rawValue: rawValue) {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .opt: "OPT"
        case .tlsa: "TLSA"
        case .unknown(let value): "TYPE\(value)"  // RFC 3597 §5
        }
    }
}

/// The CLASS of a question or record; only IN is ever queried here (RFC 1035 §3.2.4).
public enum DNSClass {
    public static let internet: UInt16 = 1
}
