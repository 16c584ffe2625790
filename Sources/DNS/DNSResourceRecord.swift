/// A question entry (RFC 1035 §4.1.2).
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    public var name: DNSName
    public var type: DNSRecordType
    public var dnsClass: UInt16

    public init(name: DNSName, type: DNSRecordType, dnsClass: UInt16 = DNSClass.internet) {
        self.name = name
        self.type = type
        self.dnsClass = dnsClass
    }

    public var description: String { "\(name) \(type)" }
}

/// A resource record (RFC 1035 §4.1.3). The type is kept beside the data, so that records of
/// unparsed types keep their number.
public struct DNSResourceRecord: Hashable, Sendable {
    public var name: DNSName
    public var type: DNSRecordType
    public var dnsClass: UInt16
    /// Seconds. RFC 2181 §8: a value with the top bit set is to be read as zero (see `effectiveTTL`).
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: DNSName, type: DNSRecordType, dnsClass: UInt16 = DNSClass.internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.dnsClass = dnsClass
        self.ttl = ttl
        self.data = data
    }

    /// Builds a record whose type follows from its data (`.unknown` data needs the other initialiser).
    public init(name: DNSName, ttl: UInt32, data: DNSRecordData) {
        let type: DNSRecordType =
            switch data {
            case .a: .a
            case .aaaa: .aaaa
            case .mx: .mx
            case .txt: .txt
            case .ptr: .ptr
            case .cname: .cname
            case .ns: .ns
            case .soa: .soa
            case .tlsa: .tlsa
            case .unknown: .unknown(0)
            }
        self.init(name: name, type: type, ttl: ttl, data: data)
    }

    /// RFC 2181 §8: TTLs are 31-bit; a value with the top bit set counts as zero.
    public var effectiveTTL: UInt32 { ttl > UInt32(Int32.max) ? 0 : ttl }

    public var address: IPAddress? {
        switch data {
        case .a(let address), .aaaa(let address): address
        default: nil
        }
    }

    public var mx: MXData? {
        if case .mx(let value) = data { value } else { nil }
    }

    public var txt: TXTData? {
        if case .txt(let value) = data { value } else { nil }
    }

    public var soa: SOAData? {
        if case .soa(let value) = data { value } else { nil }
    }

    public var tlsa: TLSAData? {
        if case .tlsa(let value) = data { value } else { nil }
    }

    /// The target of a CNAME, PTR or NS record.
    public var targetName: DNSName? {
        switch data {
        case .cname(let name), .ptr(let name), .ns(let name): name
        default: nil
        }
    }
}
