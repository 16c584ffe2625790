/// A server address as configured: `ldap://host[:port]` or `ldaps://host[:port]` (RFC 4516 §2,
/// without DN, attributes, scope, filter or extensions; a trailing `/` is allowed). IPv6
/// addresses are written in brackets. Referral URLs are never followed, so nothing more is needed.
public struct LDAPURL: Sendable, Hashable, CustomStringConvertible {
    /// `ldap` or `ldaps`, lowercase.
    public let scheme: String
    /// The host name or IP address, without brackets.
    public let host: String
    public let port: Int

    /// `ldaps://`: TLS from the first byte.
    public var isTLS: Bool { scheme == "ldaps" }

    public init(parsing text: String) throws(LDAPURLError) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else {
            throw .invalid(text, "expected ldap:// or ldaps://")
        }
        let scheme = text[..<colon].lowercased()
        guard scheme == "ldap" || scheme == "ldaps" else { throw .invalid(text, "unsupported scheme \(scheme)") }
        var rest = text[colon...].dropFirst(3)
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            guard rest[slash...] == "/" else { throw .invalid(text, "only ldap[s]://host[:port] is supported") }
            rest = rest[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .invalid(text, "unclosed [") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .invalid(text, "invalid IPv6 address")
            }
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalid(text, "unexpected characters after ]") }
                portText = after.dropFirst()
            }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                portText = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                throw .invalid(text, "invalid host name")
            }
        }
        guard !host.isEmpty else { throw .invalid(text, "missing host") }
        var port = scheme == "ldaps" ? 636 : 389
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(portText), (1...65535).contains(number)
            else { throw .invalid(text, "invalid port") }
            port = number
        }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
    }

    /// `scheme://host:port`, the host in brackets when it is an IPv6 address.
    public var description: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Why a configured LDAP URL was refused.
public enum LDAPURLError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let url, let reason): "invalid LDAP URL \(url): \(reason)"
        }
    }
}
