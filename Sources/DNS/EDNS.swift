/// The OPT pseudo-record's meaning (RFC 6891 §6.1): kept out of the additional section.
public struct EDNS: Hashable, Sendable {
    /// RFC 6891 §6.2.5 and the DNS Flag Day 2020 advice: 1232 octets avoids IP fragmentation.
    public static let defaultPayloadSize: UInt16 = 1232

    /// The largest UDP payload the sender can reassemble (the OPT record's CLASS).
    public var udpPayloadSize: UInt16
    /// The upper 8 bits of the 12-bit RCODE (§6.1.3).
    public var extendedRCode: UInt8
    public var version: UInt8
    /// The DO bit (RFC 3225).
    public var dnssecOK: Bool
    /// The option octets as sent ({code, length, data}*, §6.1.2), not interpreted here.
    public var options: [UInt8]

    public init(
        udpPayloadSize: UInt16 = defaultPayloadSize, extendedRCode: UInt8 = 0, version: UInt8 = 0,
        dnssecOK: Bool = false, options: [UInt8] = []
    ) {
        self.udpPayloadSize = udpPayloadSize
        self.extendedRCode = extendedRCode
        self.version = version
        self.dnssecOK = dnssecOK
        self.options = options
    }

    /// The OPT record's TTL field: EXTENDED-RCODE, VERSION, DO, Z (§6.1.3).
    var ttlField: UInt32 {
        UInt32(extendedRCode) << 24 | UInt32(version) << 16 | (dnssecOK ? 0x8000 : 0)
    }

    init(payloadSize: UInt16, ttlField: UInt32, options: [UInt8]) {
        self.init(
            udpPayloadSize: payloadSize, extendedRCode: UInt8(ttlField >> 24), version: UInt8((ttlField >> 16) & 0xFF),
            dnssecOK: ttlField & 0x8000 != 0, options: options)
    }
}
