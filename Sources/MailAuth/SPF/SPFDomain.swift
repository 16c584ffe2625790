/// Domain-name rules of RFC 7208 that apply after macro expansion.
enum SPFDomain {
    /// RFC 7208 §7.3: "the maximum length of a domain name in this format" for queries.
    static let maxLength = 253

    /// The name to query for an expanded domain-spec: without its trailing dot, and if longer
    /// than 253 characters, with labels removed from the left until it fits (§7.3).
    static func queryName(_ expanded: String) -> String {
        var name = Substring(expanded)
        if name.hasSuffix(".") { name = name.dropLast() }
        while name.utf8.count > maxLength, let dot = name.firstIndex(of: ".") {
            name = name[name.index(after: dot)...]
        }
        return String(name)
    }

    /// Whether a DNS query can be made for `name` (no dot at the end): no empty label, no
    /// label over 63 octets (RFC 1035 §2.3.4), at most 253 characters.
    static func isQueryable(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxLength else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0.utf8.count <= 63
        }
    }

    /// RFC 7208 §4.3: a <domain> that is malformed (empty or over-long label), not multi-label,
    /// or an address literal makes check_host() return "none" at once. Returns why, or nil.
    static func problem(checkHostDomain name: String) -> String? {
        if name.hasPrefix("[") { return "\"\(name)\" is an address literal, not a domain" }
        guard isQueryable(name) else { return "\"\(name)\" is not a valid domain name" }
        guard name.contains(".") else { return "\"\(name)\" is not a fully qualified domain name" }
        return nil
    }

    /// RFC 7208 §12 `toplabel`: `( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum
    /// / "-" ) alphanum )`, i.e. letters, digits and inner hyphens, not all digits.
    static func isTopLabel<S: StringProtocol>(_ label: S) -> Bool {
        let octets = Array(label.utf8)
        guard let first = octets.first, let last = octets.last else { return false }
        let isAlphanumeric = { (octet: UInt8) in isLetter(octet) || (0x30...0x39).contains(octet) }
        guard octets.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return false }
        if octets.contains(UInt8(ascii: "-")) { return isAlphanumeric(first) && isAlphanumeric(last) }
        return octets.contains(where: isLetter)
    }

    static func isLetter(_ octet: UInt8) -> Bool { (0x41...0x5A).contains(octet) || (0x61...0x7A).contains(octet) }
}
