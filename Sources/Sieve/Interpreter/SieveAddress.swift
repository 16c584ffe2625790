import MIME

/// An address as the address and envelope tests see it: local part and domain (RFC 5228 §2.7.4).
struct SieveAddress: Sendable, Hashable {
    var localPart: String
    var domain: String?

    /// The whole address, `local@domain`.
    var all: String { domain.map { "\(localPart)@\($0)" } ?? localPart }

    /// RFC 5233 §4: the subaddress separator.
    static let separator: Character = "+"

    /// The part an address-part tag selects; nil when the address has no such part (RFC 5233 §4:
    /// `:detail` of an address without a separator matches nothing).
    func part(_ part: SieveAddressPart) -> String? {
        switch part {
        case .all: return all
        case .localpart: return localPart
        case .domain: return domain ?? ""
        case .user:
            return localPart.firstIndex(of: Self.separator).map { String(localPart[..<$0]) } ?? localPart
        case .detail:
            return localPart.firstIndex(of: Self.separator).map { String(localPart[localPart.index(after: $0)...]) }
        }
    }

    /// Addresses of a header value (RFC 5322 §3.4), group markers and unparsable parts left out.
    static func list(_ value: String) -> [SieveAddress] {
        EnvelopeAddress.parseList(Array(value.utf8)).compactMap { address in
            guard !address.isGroupStart, !address.isGroupEnd, let mailbox = address.mailbox else { return nil }
            return SieveAddress(localPart: mailbox, domain: (address.host?.isEmpty ?? true) ? nil : address.host)
        }
    }

    /// An envelope address (RFC 5321 path without brackets): split at the last "@".
    static func envelope(_ value: String) -> SieveAddress {
        var text = Substring(value)
        if text.hasPrefix("<"), text.hasSuffix(">") { text = text.dropFirst().dropLast() }
        guard let at = text.lastIndex(of: "@") else { return SieveAddress(localPart: String(text), domain: nil) }
        return SieveAddress(localPart: String(text[..<at]), domain: String(text[text.index(after: at)...]))
    }

    /// One mailbox (`local@domain`, optionally with a display name), or nil when the text is not exactly
    /// one address with a domain: what redirect (RFC 5228 §4.2) and vacation's :from accept.
    static func parseMailbox(_ value: String) -> SieveAddress? {
        let list = EnvelopeAddress.parseList(Array(value.utf8))
        guard list.count == 1, let mailbox = list[0].mailbox, !mailbox.isEmpty, let host = list[0].host, !host.isEmpty,
            host.contains(where: { $0 != "." })
        else { return nil }
        return SieveAddress(localPart: mailbox, domain: host)
    }
}
