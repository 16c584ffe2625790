import DNS

/// What a HELO/EHLO argument is (RFC 5321 §4.1.1.1: a domain or an address literal).
enum HELOName: Equatable {
    case domain(String)
    /// `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3).
    case addressLiteral(IPAddress)
    case invalid

    init(_ text: String) {
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count > 2 {
            var inner = String(text.dropFirst().dropLast())
            if inner.lowercased().hasPrefix("ipv6:") { inner = String(inner.dropFirst(5)) }
            self = IPAddress(inner).map(HELOName.addressLiteral) ?? .invalid
            return
        }
        self = Self.isDomain(text) ? .domain(text.lowercased()) : .invalid
    }

    /// RFC 5321 `Domain`: dot-separated labels of letters, digits and hyphens, no hyphen at
    /// either end, at most 63 octets each, 255 in all; a trailing dot is tolerated.
    static func isDomain(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// A domain with at least two labels, the last not all digits.
    var isFullyQualified: Bool {
        guard case .domain(let name) = self else { return false }
        let labels = name.split(separator: ".")
        return labels.count >= 2 && !(labels.last?.allSatisfy(\.isNumber) ?? true)
    }
}
