import DNS

/// One pattern of a member or group entry, checked against a value of its attribute.
///
/// `*` matches any non-empty value (for `client`, any address). Addresses compare
/// case-insensitively in the domain and local part (Postfix's habit for lookup tables).
enum PolicyPattern {
    static func matches(_ pattern: String, attribute: PolicyAttribute, value: String) -> Bool {
        if pattern == "*" { return !value.isEmpty }
        switch attribute {
        case .client:
            guard let network = IPNetwork(pattern), let address = IPAddress(value) else { return false }
            return network.contains(address)
        case .helo:
            return domainMatches(pattern.lowercased(), value.lowercased())
        case .sender, .recipient:
            return addressMatches(pattern.lowercased(), value.lowercased())
        case .sasl:
            return !value.isEmpty && pattern.lowercased() == value.lowercased()
        }
    }

    /// `example.org` is that name only; `.example.org` is the domain and every subdomain.
    static func domainMatches(_ pattern: String, _ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        if pattern.hasPrefix(".") {
            return name == pattern.dropFirst() || name.hasSuffix(pattern)
        }
        return name == pattern
    }

    static func addressMatches(_ pattern: String, _ address: String) -> Bool {
        if pattern == "<>" { return address.isEmpty }
        guard !address.isEmpty else { return false }
        let at = address.lastIndex(of: "@")
        let domain = at.map { String(address[address.index(after: $0)...]) } ?? ""
        let local = at.map { String(address[..<$0]) } ?? address
        if pattern.hasPrefix("@") { return domain == pattern.dropFirst() }
        if pattern.hasPrefix(".") { return domainMatches(pattern, domain) }
        if pattern.hasSuffix("@") { return local == pattern.dropLast() }
        return address == pattern
    }
}
