import SwiftASN1

/// The outcome of an operation (RFC 4511 §4.1.9):
/// `LDAPResult ::= SEQUENCE { resultCode ENUMERATED, matchedDN LDAPDN, diagnosticMessage LDAPString,
/// referral [3] Referral OPTIONAL }`.
public struct LDAPResult: Sendable, Hashable {
    public var code: LDAPResultCode
    public var matchedDN: String
    public var diagnosticMessage: String
    /// The referral URIs (§4.1.10), empty when none were sent; they are never followed.
    public var referral: [String]

    public init(code: LDAPResultCode, matchedDN: String = "", diagnosticMessage: String = "", referral: [String] = []) {
        self.code = code
        self.matchedDN = matchedDN
        self.diagnosticMessage = diagnosticMessage
        self.referral = referral
    }
}

extension LDAPResult {
    /// Reads the LDAPResult components at the start of `reader` (they are `COMPONENTS OF` in
    /// BindResponse and ExtendedResponse, §4.2.2, §4.12).
    init(components reader: inout BERSequenceReader) throws(LDAPCodecError) {
        let code = try reader.next().integer(.enumerated, in: 0...Int64(Int32.max), "resultCode")
        self.code = LDAPResultCode(rawValue: Int(code))
        matchedDN = try reader.next().string("matchedDN")
        diagnosticMessage = try reader.next().string("diagnosticMessage")
        referral = []
        if let node = reader.optional(.context(3)) {
            var uris = try BERSequenceReader(node, tag: .context(3), "referral")
            for uri in uris.rest() { referral.append(try uri.string("referral URI")) }
        }
    }

    func writeComponents(into coder: inout DER.Serializer) {
        coder.writeInteger(Int64(code.rawValue), tag: .enumerated)
        coder.writeString(matchedDN)
        coder.writeString(diagnosticMessage)
        // §4.1.10: Referral ::= SEQUENCE SIZE (1..MAX) OF uri URI — omitted when empty.
        if !referral.isEmpty {
            coder.appendConstructedNode(identifier: .context(3)) { coder in
                for uri in referral { coder.writeString(uri) }
            }
        }
    }
}
