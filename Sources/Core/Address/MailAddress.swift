/// A mailbox address `local-part@domain` as RFC 5321 §4.1.2 defines it (with RFC 6531's UTF-8
/// extension), the form used in envelopes and in the directory.
///
/// The domain is kept lower-cased (domains are case-insensitive, RFC 5321 §2.4). The local part is
/// kept as written; `key` is the lower-cased form the directory matches on.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let localPart: String
    public let domain: String

    /// Parses `text`. Rejects what mail relays must never take for a plain mailbox: source routes,
    /// `%`/`!` routing, IP literals (`allowAddressLiteral` lets SMTP accept `[IP]` domains where
    /// wanted), over-long parts, and control characters.
    public init(parsing text: String, allowAddressLiteral: Bool = false) throws(AddressError) {
        guard !text.isEmpty else { throw .empty }
        guard text.utf8.count <= 254 else { throw .tooLong }  // RFC 5321 §4.5.3.1.3 path ≤ 256 incl. <>
        guard let at = MailAddress.separatorIndex(in: text) else { throw .missingAt }
        let local = String(text[text.startIndex..<at])
        let domain = String(text[text.index(after: at)...])
        try MailAddress.validateLocalPart(local)
        if domain.hasPrefix("[") {
            guard allowAddressLiteral else { throw .addressLiteral }
            guard domain.hasSuffix("]"), domain.count > 2 else { throw .badDomain(domain) }
        } else {
            try DomainName.validate(domain)
        }
        self.localPart = local
        self.domain = domain.lowercased()
    }

    /// Builds an address from parts already validated.
    public init(localPart: String, domain: String) {
        self.localPart = localPart
        self.domain = domain.lowercased()
    }

    public var description: String { "\(localPart)@\(domain)" }

    /// The case-insensitive form the directory matches on.
    public var key: String { "\(localPart.lowercased())@\(domain)" }

    /// Splits a subaddress `user+tag` at the first `separator` (RFC 5233 "detail").
    public func splittingDetail(separator: Character = "+") -> (base: MailAddress, detail: String)? {
        guard let index = localPart.firstIndex(of: separator), index != localPart.startIndex else { return nil }
        let base = String(localPart[..<index])
        let detail = String(localPart[localPart.index(after: index)...])
        return (MailAddress(localPart: base, domain: domain), detail)
    }

    /// The `@` that separates local part and domain: the last one outside a quoted string.
    private static func separatorIndex(in text: String) -> String.Index? {
        var inQuotes = false
        var escaped = false
        var found: String.Index?
        for index in text.indices {
            let c = text[index]
            if escaped {
                escaped = false
            } else if inQuotes && c == "\\" {
                escaped = true
            } else if c == "\"" {
                inQuotes.toggle()
            } else if c == "@" && !inQuotes {
                found = index
            }
        }
        return found
    }

    /// RFC 5321 §4.1.2 Local-part = Dot-string / Quoted-string, at most 64 octets (§4.5.3.1.1).
    private static func validateLocalPart(_ local: String) throws(AddressError) {
        guard !local.isEmpty else { throw .badLocalPart("empty") }
        guard local.utf8.count <= 64 else { throw .tooLong }
        if local.hasPrefix("\"") {
            guard local.count >= 2, local.hasSuffix("\"") else { throw .badLocalPart(local) }
            for scalar in local.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
                throw .badLocalPart(local)
            }
            // A quoted local part hiding routing characters is a relay trick; refuse it outright.
            if local.contains("@") || local.contains("%") || local.contains("!") { throw .routing }
            return
        }
        if local.contains("%") || local.contains("!") { throw .routing }
        for atom in local.split(separator: ".", omittingEmptySubsequences: false) {
            guard !atom.isEmpty else { throw .badLocalPart(local) }
            for scalar in atom.unicodeScalars where !isAtext(scalar) { throw .badLocalPart(local) }
        }
    }

    /// RFC 5322 §3.2.3 atext, widened by RFC 6531 §3.3 to any non-ASCII UTF-8.
    static func isAtext(_ s: Unicode.Scalar) -> Bool {
        if s.value >= 0x80 { return true }
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9": return true
        default: return "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(s)
        }
    }
}

/// DNS domain names as mail uses them (RFC 5321 §4.1.2 Domain, RFC 1035 §2.3.4 limits).
public enum DomainName {
    /// Throws unless `name` is a syntactically valid domain: labels of letters, digits and
    /// hyphens (or UTF-8 U-labels, RFC 6531), not starting or ending with a hyphen, each ≤ 63
    /// octets, whole name ≤ 253 octets, no trailing dot.
    public static func validate(_ name: String) throws(AddressError) {
        guard !name.isEmpty, name.utf8.count <= 253 else { throw .badDomain(name) }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else {
                throw .badDomain(name)
            }
            for s in label.unicodeScalars {
                let ok: Bool
                switch s {
                case "a"..."z", "A"..."Z", "0"..."9", "-": ok = true
                default: ok = s.value >= 0x80 && s.properties.isAlphabetic || s.properties.numericType != nil && s.value >= 0x80
                }
                guard ok else { throw .badDomain(name) }
            }
        }
    }

    /// Lower-cases and validates.
    public static func normalize(_ name: String) throws(AddressError) -> String {
        try validate(name)
        return name.lowercased()
    }
}

/// Why an address was refused.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLong
    case missingAt
    case badLocalPart(String)
    case badDomain(String)
    case routing
    case addressLiteral

    public var description: String {
        switch self {
        case .empty: "empty address"
        case .tooLong: "address too long"
        case .missingAt: "address has no @domain"
        case .badLocalPart(let l): "invalid local part '\(l)'"
        case .badDomain(let d): "invalid domain '\(d)'"
        case .routing: "routing characters (%, !, quoted @) are not allowed in an address"
        case .addressLiteral: "IP-literal domains are not allowed here"
        }
    }
}
