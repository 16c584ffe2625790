/// MX RDATA (RFC 1035 §3.3.9). A "null MX" (RFC 7505 §3) has preference 0 and the root as exchange.
public struct MXData: Hashable, Sendable, CustomStringConvertible {
    public var preference: UInt16
    public var exchange: DNSName

    public init(preference: UInt16, exchange: DNSName) {
        self.preference = preference
        self.exchange = exchange
    }

    /// RFC 7505 §3: the exchange is the root name ".".
    public var isNull: Bool { exchange.isRoot }

    public var description: String { "\(preference) \(exchange)" }
}

/// TXT RDATA (RFC 1035 §3.3.14): one or more character-strings of at most 255 octets each.
public struct TXTData: Hashable, Sendable {
    public var strings: [[UInt8]]

    public init(strings: [[UInt8]]) { self.strings = strings }

    /// Splits `text` into character-strings of at most 255 octets.
    public init(text: String) {
        let utf8 = Array(text.utf8)
        strings = stride(from: 0, to: max(utf8.count, 1), by: 255).map { Array(utf8[$0..<min($0 + 255, utf8.count)]) }
    }

    /// The character-strings joined with nothing between them, as SPF (RFC 7208 §3.3) and
    /// DKIM (RFC 6376 §3.6.2.2) read a record; invalid UTF-8 becomes U+FFFD.
    public var text: String { String(decoding: strings.joined(), as: UTF8.self) }
}

/// SOA RDATA (RFC 1035 §3.3.13); `minimum` bounds negative caching (RFC 2308 §4).
public struct SOAData: Hashable, Sendable {
    public var primaryNameserver: DNSName
    public var responsibleMailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(
        primaryNameserver: DNSName, responsibleMailbox: DNSName, serial: UInt32, refresh: UInt32,
        retry: UInt32, expire: UInt32, minimum: UInt32
    ) {
        self.primaryNameserver = primaryNameserver
        self.responsibleMailbox = responsibleMailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

/// Parsed RDATA for the types Posta reads; any other type keeps its raw octets (RFC 3597).
public enum DNSRecordData: Hashable, Sendable {
    case a(IPAddress)
    case aaaa(IPAddress)
    case mx(MXData)
    case txt(TXTData)
    case ptr(DNSName)
    case cname(DNSName)
    case ns(DNSName)
    case soa(SOAData)
    case tlsa(TLSAData)
    case unknown([UInt8])
}
