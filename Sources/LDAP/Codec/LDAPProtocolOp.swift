/// The operation an LDAPMessage carries (RFC 4511 §4.2–§4.14), as far as this client needs.
public enum LDAPProtocolOp: Sendable, Hashable {
    /// Simple authentication only (§4.2, `simple [0] OCTET STRING`); version is 3.
    case bindRequest(version: Int, name: String, password: [UInt8])
    case bindResponse(LDAPResult)
    case unbindRequest
    case searchRequest(LDAPSearchRequest)
    case searchResultEntry(LDAPEntry)
    /// Continuation references (§4.5.3): URIs, never followed.
    case searchResultReference([String])
    case searchResultDone(LDAPResult)
    case compareRequest(dn: String, attribute: String, value: [UInt8])
    case compareResponse(LDAPResult)
    case abandonRequest(Int32)
    case extendedRequest(name: String, value: [UInt8]?)
    case extendedResponse(LDAPResult, name: String?, value: [UInt8]?)
    case intermediateResponse(name: String?, value: [UInt8]?)
}
