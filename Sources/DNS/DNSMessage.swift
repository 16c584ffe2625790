/// A whole DNS message (RFC 1035 §4.1), sans I/O: `encoded()` gives the octets for UDP (the TCP
/// length prefix is the transport's), `init(decoding:)` parses octets defensively.
public struct DNSMessage: Hashable, Sendable {
    public var header: DNSHeader
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    /// The additional section without the OPT record, which is `edns`.
    public var additionals: [DNSResourceRecord]
    public var edns: EDNS?

    public init(
        header: DNSHeader, questions: [DNSQuestion] = [], answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [], additionals: [DNSResourceRecord] = [], edns: EDNS? = nil
    ) {
        self.header = header
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.edns = edns
    }

    /// A recursive query for one question (RD set, RFC 1035 §4.1.1), by default with an OPT
    /// record advertising a 1232-octet UDP payload (RFC 6891 §6.2.5). The ID should be random
    /// (RFC 5452 §4.3), which is the default. `authenticData` sets the AD bit, asking a validating
    /// resolver to report whether it validated the answer (RFC 6840 §5.7).
    public static func query(
        _ name: DNSName, _ type: DNSRecordType, id: UInt16 = .random(in: .min ... .max),
        edns: EDNS? = EDNS(), authenticData: Bool = false
    ) -> DNSMessage {
        DNSMessage(
            header: DNSHeader(id: id, recursionDesired: true, authenticData: authenticData),
            questions: [DNSQuestion(name: name, type: type)], edns: edns)
    }

    /// The 12-bit response code: header RCODE plus the OPT record's upper bits (RFC 6891 §6.1.3).
    public var rcode: DNSResponseCode {
        DNSResponseCode(rawValue: UInt16(edns?.extendedRCode ?? 0) << 4 | UInt16(header.rcode))
    }

    /// Whether this message answers `query` (RFC 5452 §9.1: same ID and question; the source
    /// address is the transport's to check). A response without a question section is only
    /// accepted when it reports an error (some servers omit it on FORMERR, NOTIMP, …).
    public func isResponse(to query: DNSMessage) -> Bool {
        guard header.isResponse, header.id == query.header.id, header.opcode == query.header.opcode else { return false }
        if questions.isEmpty {
            return rcode != .noError && rcode != .nxDomain
        }
        return questions == query.questions
    }
}
