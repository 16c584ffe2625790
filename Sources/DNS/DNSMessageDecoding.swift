extension DNSMessage {
    /// Parses a message. Every length is checked against the data; names follow compression
    /// pointers only backwards and within a hop limit; any inconsistency throws
    /// `DNSError.malformed`, never traps or loops. Octets after the last record are ignored.
    public init(decoding bytes: [UInt8]) throws {
        var reader = DNSWireReader(bytes)
        let id = try reader.readUInt16()
        let flags = try reader.readUInt16()
        let questionCount = Int(try reader.readUInt16())
        let answerCount = Int(try reader.readUInt16())
        let authorityCount = Int(try reader.readUInt16())
        let additionalCount = Int(try reader.readUInt16())
        // The smallest question is 5 octets (root name, TYPE, CLASS), the smallest record 11:
        // counts that cannot fit are refused before anything is allocated for them.
        let least = questionCount * 5 + (answerCount + authorityCount + additionalCount) * 11
        guard least <= reader.remaining else {
            throw DNSError.malformed("section counts need at least \(least) octets, \(reader.remaining) remain")
        }
        var questions: [DNSQuestion] = []
        for _ in 0..<questionCount {
            let name = try reader.readName()
            let type = DNSRecordType(rawValue: try reader.readUInt16())
            let dnsClass = try reader.readUInt16()
            questions.append(DNSQuestion(name: name, type: type, dnsClass: dnsClass))
        }
        let answers = try (0..<answerCount).map { _ in try reader.readRecord() }
        let authorities = try (0..<authorityCount).map { _ in try reader.readRecord() }
        var additionals: [DNSResourceRecord] = []
        var edns: EDNS? = nil
        for _ in 0..<additionalCount {
            let record = try reader.readRecord()
            guard record.type == .opt else {
                additionals.append(record)
                continue
            }
            // RFC 6891 §6.1.1: at most one OPT, owned by the root.
            guard edns == nil else { throw DNSError.malformed("more than one OPT record") }
            guard record.name.isRoot else { throw DNSError.malformed("OPT record not owned by the root") }
            guard case .unknown(let options) = record.data else { throw DNSError.malformed("OPT record data") }
            edns = EDNS(payloadSize: record.dnsClass, ttlField: record.ttl, options: options)
        }
        guard !(answers + authorities).contains(where: { $0.type == .opt }) else {
            throw DNSError.malformed("OPT record outside the additional section")
        }
        self.init(
            header: DNSHeader(id: id, flags: flags), questions: questions, answers: answers,
            authorities: authorities, additionals: additionals, edns: edns)
    }
}

/// A cursor over a message's octets whose every read is bounds-checked.
struct DNSWireReader {
    /// More pointers than a 255-octet name has labels is certainly a loop.
    static let maxPointerHops = 127

    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8(limit: Int? = nil) throws -> UInt8 {
        guard offset < (limit ?? bytes.count) else { throw DNSError.malformed("message ends inside a field at octet \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(limit: Int? = nil) throws -> UInt16 {
        try UInt16(readUInt8(limit: limit)) << 8 | UInt16(readUInt8(limit: limit))
    }

    mutating func readUInt32(limit: Int? = nil) throws -> UInt32 {
        try UInt32(readUInt16(limit: limit)) << 16 | UInt32(readUInt16(limit: limit))
    }

    mutating func readBytes(_ count: Int, limit: Int? = nil) throws -> [UInt8] {
        guard count >= 0, count <= (limit ?? bytes.count) - offset else {
            throw DNSError.malformed("\(count) octets wanted at octet \(offset), fewer remain")
        }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    /// Reads a possibly compressed name (RFC 1035 §4.1.4). The name's own octets must lie before
    /// `limit` (the end of the RDATA when inside one); a pointer must point before the start of
    /// the labels that led to it, so every jump goes strictly backwards and reading ends.
    mutating func readName(limit: Int? = nil) throws -> DNSName {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        var end = limit ?? bytes.count
        var segmentStart = offset
        var hops = 0
        var resumeAt: Int? = nil
        while true {
            guard position < end else { throw DNSError.malformed("name runs past its data at octet \(position)") }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? position + 1
                    return DNSName(checkedLabels: labels)
                }
                let start = position + 1
                guard Int(length) <= end - start else {
                    throw DNSError.malformed("label runs past its data at octet \(position)")
                }
                wireLength += 1 + Int(length)
                guard wireLength <= DNSName.maxWireLength else {
                    throw DNSError.malformed("name longer than \(DNSName.maxWireLength) octets")
                }
                labels.append(Array(bytes[start..<(start + Int(length))]))
                position = start + Int(length)
            case 0xC0:
                guard position + 1 < end else { throw DNSError.malformed("compression pointer cut short at octet \(position)") }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < segmentStart else {
                    throw DNSError.malformed("compression pointer at octet \(position) to \(target) does not point backwards")
                }
                hops += 1
                guard hops <= Self.maxPointerHops else { throw DNSError.malformed("too many compression pointers") }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
                segmentStart = target
                end = bytes.count
            default:
                // 0x40 (extended label types, RFC 6891 §5) and 0x80 (reserved); a plain label
                // cannot be longer than 63 octets.
                let octet = String(length, radix: 16)
                throw DNSError.malformed("label length octet 0x\(octet) at \(position) (labels are at most 63 octets)")
            }
        }
    }

    /// Reads a character-string (RFC 1035 §3.3): a length octet and that many octets.
    mutating func readCharacterString(limit: Int) throws -> [UInt8] {
        let length = try readUInt8(limit: limit)
        return try readBytes(Int(length), limit: limit)
    }

    mutating func readRecord() throws -> DNSResourceRecord {
        let name = try readName()
        let type = DNSRecordType(rawValue: try readUInt16())
        let dnsClass = try readUInt16()
        let ttl = try readUInt32()
        let length = Int(try readUInt16())
        guard length <= remaining else {
            throw DNSError.malformed("\(type) RDATA of \(length) octets at octet \(offset), only \(remaining) remain")
        }
        let end = offset + length
        let data = try readRecordData(type, end: end)
        guard offset == end else {
            throw DNSError.malformed("\(type) RDATA is \(length) octets but its content is \(offset - (end - length))")
        }
        return DNSResourceRecord(name: name, type: type, dnsClass: dnsClass, ttl: ttl, data: data)
    }

    private mutating func readRecordData(_ type: DNSRecordType, end: Int) throws -> DNSRecordData {
        let length = end - offset
        switch type {
        case .a:  // RFC 1035 §3.4.1
            guard length == 4 else { throw DNSError.malformed("A RDATA of \(length) octets") }
            return .a(IPAddress(bytes: try readBytes(4, limit: end))!)
        case .aaaa:  // RFC 3596 §2.2
            guard length == 16 else { throw DNSError.malformed("AAAA RDATA of \(length) octets") }
            return .aaaa(IPAddress(bytes: try readBytes(16, limit: end))!)
        case .mx:  // RFC 1035 §3.3.9
            let preference = try readUInt16(limit: end)
            return .mx(MXData(preference: preference, exchange: try readName(limit: end)))
        case .txt:  // RFC 1035 §3.3.14
            var strings: [[UInt8]] = []
            while offset < end { strings.append(try readCharacterString(limit: end)) }
            return .txt(TXTData(strings: strings))
        case .ptr:
            return .ptr(try readName(limit: end))
        case .cname:
            return .cname(try readName(limit: end))
        case .ns:
            return .ns(try readName(limit: end))
        case .soa:  // RFC 1035 §3.3.13
            let mname = try readName(limit: end)
            let rname = try readName(limit: end)
            return .soa(
                SOAData(
                    primaryNameserver: mname, responsibleMailbox: rname, serial: try readUInt32(limit: end),
                    refresh: try readUInt32(limit: end), retry: try readUInt32(limit: end),
                    expire: try readUInt32(limit: end), minimum: try readUInt32(limit: end)))
        case .tlsa:  // RFC 6698 §2.1: usage, selector, matching type, association data
            guard length >= 3 else { throw DNSError.malformed("TLSA RDATA of \(length) octets") }
            let fields = try readBytes(3, limit: end)
            return .tlsa(
                TLSAData(
                    usage: fields[0], selector: fields[1], matchingType: fields[2],
                    associationData: try readBytes(length - 3, limit: end)))
        default:
            return .unknown(try readBytes(length, limit: end))
        }
    }
}
