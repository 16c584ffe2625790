/// The fixed 12-octet header (RFC 1035 §4.1.1) without its four counts, which encoding takes
/// from the sections. AD and CD are RFC 4035 §3.2.
public struct DNSHeader: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    /// 0 is a standard query.
    public var opcode: UInt8
    public var isAuthoritative: Bool
    public var isTruncated: Bool
    public var recursionDesired: Bool
    public var recursionAvailable: Bool
    public var authenticData: Bool
    public var checkingDisabled: Bool
    /// The low 4 bits of the response code; see `DNSMessage.rcode` for the full one.
    public var rcode: UInt8

    public init(
        id: UInt16, isResponse: Bool = false, opcode: UInt8 = 0, isAuthoritative: Bool = false,
        isTruncated: Bool = false, recursionDesired: Bool = true, recursionAvailable: Bool = false,
        authenticData: Bool = false, checkingDisabled: Bool = false, rcode: UInt8 = 0
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode & 0x0F
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.authenticData = authenticData
        self.checkingDisabled = checkingDisabled
        self.rcode = rcode & 0x0F
    }

    /// The second 16-bit word: QR, Opcode, AA, TC, RD | RA, Z, AD, CD, RCODE.
    var flags: UInt16 {
        var high = UInt16(opcode & 0x0F) << 11
        if isResponse { high |= 0x8000 }
        if isAuthoritative { high |= 0x0400 }
        if isTruncated { high |= 0x0200 }
        if recursionDesired { high |= 0x0100 }
        if recursionAvailable { high |= 0x0080 }
        if authenticData { high |= 0x0020 }
        if checkingDisabled { high |= 0x0010 }
        return high | UInt16(rcode & 0x0F)
    }

    init(id: UInt16, flags: UInt16) {
        self.init(
            id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0x0F),
            isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
            authenticData: flags & 0x0020 != 0, checkingDisabled: flags & 0x0010 != 0,
            rcode: UInt8(flags & 0x000F))
    }
}
