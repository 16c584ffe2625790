import SwiftASN1

/// One LDAP PDU (RFC 4511 §4.1.1):
/// `LDAPMessage ::= SEQUENCE { messageID MessageID, protocolOp CHOICE {…}, controls [0] Controls OPTIONAL }`.
public struct LDAPMessage: Sendable, Hashable {
    /// 1…2³¹−1 for requests and their answers; 0 for unsolicited notifications (§4.4).
    public var messageID: Int32
    public var op: LDAPProtocolOp
    public var controls: [LDAPControl]

    public init(messageID: Int32, op: LDAPProtocolOp, controls: [LDAPControl] = []) {
        self.messageID = messageID
        self.op = op
        self.controls = controls
    }

    /// The BER encoding (DER, which is valid BER, §5.1). Throws `LDAPCodecError.invalidValue`
    /// for what cannot be encoded: a negative message ID, a filter without pieces.
    public func serialized() throws -> [UInt8] {
        guard messageID >= 0 else { throw LDAPCodecError.invalidValue("negative message ID \(messageID)") }
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            coder.writeInteger(messageID)
            try op.write(into: &coder)
            // Controls ::= SEQUENCE OF control Control, tagged [0] (§4.1.11); omitted when empty.
            if !controls.isEmpty {
                coder.appendConstructedNode(identifier: .context(0)) { coder in
                    for control in controls { control.write(into: &coder) }
                }
            }
        }
        return coder.serializedBytes
    }

    /// Decodes exactly one complete PDU (as `LDAPFrameDecoder.next()` returns it).
    public init(decoding bytes: ArraySlice<UInt8>) throws(LDAPCodecError) {
        var reader = try BERSequenceReader(try LDAPBER.parse(bytes), tag: .sequence, "LDAPMessage")
        messageID = try reader.next().int32("messageID")
        op = try LDAPProtocolOp(decoding: try reader.next())
        controls = []
        if let node = reader.optional(.context(0)) {
            var list = try BERSequenceReader(node, tag: .context(0), "Controls")
            for control in list.rest() { controls.append(try LDAPControl(decoding: control)) }
        }
        try reader.finish()
    }
}
