extension DNSMessage {
    /// The message in wire form (RFC 1035 §4.1). Names are compressed (§4.1.4) where RFC 3597 §4
    /// allows it (owner names and the names in NS, CNAME, PTR, MX and SOA data) unless
    /// `compress` is false. Throws for a section over 65535 entries, a character-string over
    /// 255 octets or RDATA over 65535 octets.
    public func encoded(compress: Bool = true) throws -> [UInt8] {
        var writer = DNSWireWriter(compress: compress)
        var additionalCount = additionals.count
        if edns != nil { additionalCount += 1 }
        writer.writeUInt16(header.id)
        writer.writeUInt16(header.flags)
        for count in [questions.count, answers.count, authorities.count, additionalCount] {
            guard count <= Int(UInt16.max) else { throw DNSError.malformed("section of \(count) entries") }
            writer.writeUInt16(UInt16(count))
        }
        for question in questions {
            writer.writeName(question.name)
            writer.writeUInt16(question.type.rawValue)
            writer.writeUInt16(question.dnsClass)
        }
        for record in answers + authorities + additionals {
            try writer.writeRecord(record)
        }
        if let edns {
            // RFC 6891 §6.1.2: root owner, TYPE 41, CLASS = payload size, TTL = extended flags.
            try writer.writeRecord(
                DNSResourceRecord(
                    name: .root, type: .opt, dnsClass: edns.udpPayloadSize, ttl: edns.ttlField,
                    data: .unknown(edns.options)))
        }
        return writer.bytes
    }
}

/// Appends wire-form fields, remembering where names were written for compression.
struct DNSWireWriter {
    private(set) var bytes: [UInt8] = []
    private let compress: Bool
    /// Offsets of name suffixes already written; a pointer holds 14 bits, so only offsets
    /// below 0x4000 are kept.
    private var offsets: [[[UInt8]]: Int] = [:]

    init(compress: Bool) { self.compress = compress }

    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func writeUInt32(_ value: UInt32) {
        writeUInt16(UInt16(value >> 16))
        writeUInt16(UInt16(value & 0xFFFF))
    }

    mutating func writeName(_ name: DNSName) {
        let labels = name.labels
        for index in labels.indices {
            let suffix = Array(labels[index...])
            if compress, let target = offsets[suffix] {
                writeUInt16(0xC000 | UInt16(target))
                return
            }
            if compress && bytes.count < 0x4000 && offsets[suffix] == nil {
                offsets[suffix] = bytes.count
            }
            bytes.append(UInt8(labels[index].count))
            bytes.append(contentsOf: labels[index])
        }
        bytes.append(0)
    }

    mutating func writeRecord(_ record: DNSResourceRecord) throws {
        writeName(record.name)
        writeUInt16(record.type.rawValue)
        writeUInt16(record.dnsClass)
        writeUInt32(record.ttl)
        let lengthAt = bytes.count
        writeUInt16(0)
        switch record.data {
        case .a(let address), .aaaa(let address):
            bytes.append(contentsOf: address.bytes)
        case .mx(let mx):
            writeUInt16(mx.preference)
            writeName(mx.exchange)
        case .txt(let txt):
            for string in txt.strings {
                guard string.count <= 255 else { throw DNSError.malformed("character-string of \(string.count) octets") }
                bytes.append(UInt8(string.count))
                bytes.append(contentsOf: string)
            }
        case .ptr(let name), .cname(let name), .ns(let name):
            writeName(name)
        case .soa(let soa):
            writeName(soa.primaryNameserver)
            writeName(soa.responsibleMailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { writeUInt32(value) }
        case .tlsa(let tlsa):
            bytes.append(contentsOf: [tlsa.usage, tlsa.selector, tlsa.matchingType] + tlsa.associationData)
        case .unknown(let raw):
            bytes.append(contentsOf: raw)
        }
        let length = bytes.count - lengthAt - 2
        guard length <= Int(UInt16.max) else { throw DNSError.malformed("RDATA of \(length) octets") }
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }
}
