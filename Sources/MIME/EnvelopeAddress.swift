/// An address as IMAP's ENVELOPE carries it (RFC 3501 §7.4.2, RFC 9051 §7.5.2): all fields raw
/// (encoded words not decoded). A group is a start marker (`mailbox` = group name, `host` nil) followed by
/// its members and an end marker (all fields nil).
public struct EnvelopeAddress: Sendable, Hashable {
    /// The display name (phrase), quotes removed; or a trailing comment of a bare addr-spec.
    public var name: String?
    /// The obsolete source route (`@a,@b`), RFC 5322 §4.4 obs-route.
    public var adl: String?
    /// The local part; quoted only when it is not a dot-atom. The group name in a start-of-group marker.
    public var mailbox: String?
    /// The domain; empty when the address has none; nil only in group markers.
    public var host: String?

    public init(name: String? = nil, adl: String? = nil, mailbox: String?, host: String?) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }

    public static func groupStart(_ name: String) -> EnvelopeAddress { .init(mailbox: name, host: nil) }
    public static let groupEnd = EnvelopeAddress(mailbox: nil, host: nil)

    public var isGroupStart: Bool { host == nil && mailbox != nil }
    public var isGroupEnd: Bool { host == nil && mailbox == nil }

    /// `mailbox@host` for an ordinary address, nil for group markers.
    public var addressSpec: String? {
        guard let mailbox, let host else { return nil }
        return host.isEmpty ? mailbox : "\(mailbox)@\(host)"
    }
}
