import DNS

extension SPFMechanism {
    /// Parses a mechanism without its qualifier (RFC 7208 §5, ABNF of §12). Names are matched
    /// without regard to case (RFC 5234 §2.3).
    init(parsing text: Substring) throws {
        let nameEnd = text.firstIndex { $0 == ":" || $0 == "/" } ?? text.endIndex
        let arguments = text[nameEnd...]
        switch text[..<nameEnd].lowercased() {
        case "all":
            guard arguments.isEmpty else { throw SPFSyntaxError("\"all\" takes no argument: \"\(text)\"") }
            self = .all
        case "include":
            self = .include(try Self.requiredDomainSpec(arguments, in: text))
        case "exists":
            self = .exists(try Self.requiredDomainSpec(arguments, in: text))
        case "ptr":
            self = .ptr(try Self.optionalDomainSpec(arguments, in: text))
        case "a":
            let (rest, cidr) = try Self.splitDualCIDR(arguments)
            self = .a(try Self.optionalDomainSpec(rest, in: text), cidr)
        case "mx":
            let (rest, cidr) = try Self.splitDualCIDR(arguments)
            self = .mx(try Self.optionalDomainSpec(rest, in: text), cidr)
        case "ip4":
            let (address, length) = try Self.network(arguments, maxLength: 32, in: text)
            guard address.isIPv4 else { throw SPFSyntaxError("not an IPv4 network: \"\(text)\"") }
            self = .ip4(address, prefixLength: length)
        case "ip6":
            let (address, length) = try Self.network(arguments, maxLength: 128, in: text)
            guard address.isIPv6 else { throw SPFSyntaxError("not an IPv6 network: \"\(text)\"") }
            self = .ip6(address, prefixLength: length)
        default:
            throw SPFSyntaxError("unknown mechanism \"\(text)\"")
        }
    }

    /// `":" domain-spec`, required.
    private static func requiredDomainSpec(_ arguments: Substring, in text: Substring) throws -> SPFMacroString {
        guard let spec = try optionalDomainSpec(arguments, in: text) else {
            throw SPFSyntaxError("\"\(text)\" needs a domain")
        }
        return spec
    }

    /// `[ ":" domain-spec ]`.
    private static func optionalDomainSpec(_ arguments: Substring, in text: Substring) throws -> SPFMacroString? {
        guard !arguments.isEmpty else { return nil }
        guard arguments.first == ":" else { throw SPFSyntaxError("unexpected \"\(arguments)\" in \"\(text)\"") }
        let spec = try SPFMacroString(parsing: arguments.dropFirst(), as: .domainSpec)
        guard spec.isDomainSpec else { throw SPFSyntaxError("invalid domain in \"\(text)\"") }
        return spec
    }

    /// Takes `dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]` off the end of
    /// `a`/`mx` arguments (§5.6): `/n`, `//m` or `/n//m`.
    private static func splitDualCIDR(_ arguments: Substring) throws -> (Substring, DualCIDR) {
        var rest = arguments
        var cidr = DualCIDR()
        if let (before, digits) = trailingLength(rest), before.hasSuffix("/") {
            cidr.ip6 = try prefixLength(digits, max: 128)
            rest = before.dropLast()
        }
        if let (before, digits) = trailingLength(rest) {
            cidr.ip4 = try prefixLength(digits, max: 32)
            rest = before
        }
        return (rest, cidr)
    }

    /// A `/` and digits at the end of `text`: what stands before the slash, and the digits.
    private static func trailingLength(_ text: Substring) -> (Substring, Substring)? {
        let digits = text.reversed().prefix { $0.isASCII && $0.isNumber }.count
        guard digits > 0 else { return nil }
        let digitsStart = text.index(text.endIndex, offsetBy: -digits)
        guard digitsStart > text.startIndex, text[text.index(before: digitsStart)] == "/" else { return nil }
        return (text[..<text.index(before: digitsStart)], text[digitsStart...])
    }

    /// `ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT )`, likewise for IPv6: no leading zero.
    private static func prefixLength(_ digits: Substring, max: Int) throws -> Int {
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits == "0" || (digits.first != "0" && digits.count <= 3),
            let value = Int(digits), value <= max
        else {
            throw SPFSyntaxError("invalid prefix length /\(digits)")
        }
        return value
    }

    /// `":" ip4-network [ ip4-cidr-length ]` or the IPv6 form (§5.6).
    private static func network(_ arguments: Substring, maxLength: Int, in text: Substring) throws -> (IPAddress, Int) {
        guard arguments.first == ":" else { throw SPFSyntaxError("\"\(text)\" needs a network") }
        let value = arguments.dropFirst()
        let slash = value.firstIndex(of: "/") ?? value.endIndex
        guard let address = IPAddress(String(value[..<slash])) else {
            throw SPFSyntaxError("invalid address in \"\(text)\"")
        }
        guard slash < value.endIndex else { return (address, maxLength) }
        return (address, try prefixLength(value[value.index(after: slash)...], max: maxLength))
    }
}
