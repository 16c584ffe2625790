import Testing

@testable import LDAP

/// Decoding what servers send (byte layouts as OpenLDAP's slapd produces them).
@Suite struct LDAPDecodingTests {
    static let ppolicyOID = Array("1.3.6.1.4.1.42.2.27.8.5.1".utf8)

    @Test func searchResultEntry() throws {
        // 64 50 [APPLICATION 4] { 04 1b objectName, 30 31 attributes {
        //   30 1b { 04 04 "mail", 31 13 { 04 11 "alice@example.org" } },
        //   30 12 { 04 02 "cn", 31 0c { 04 05 "Alice", 04 03 41 6c ff } } } }
        let bytes =
            hexBytes("3055020102645004 1b") + Array("uid=alice,dc=example,dc=org".utf8)
            + hexBytes("3031301b04046d61696c31130411") + Array("alice@example.org".utf8)
            + hexBytes("30120402636e310c0405") + Array("Alice".utf8) + hexBytes("0403416cff")
        let message = try LDAPMessage(decoding: bytes[...])
        #expect(message.messageID == 2)
        guard case .searchResultEntry(let entry) = message.op else {
            Issue.record("not an entry: \(message.op)")
            return
        }
        #expect(entry.dn == "uid=alice,dc=example,dc=org")
        #expect(entry.attributes.map(\.type) == ["mail", "cn"])
        #expect(entry.first("MAIL") == "alice@example.org")
        #expect(entry.values("cn") == [Array("Alice".utf8), [0x41, 0x6c, 0xff]])
        // The value that is not UTF-8 is left out of `strings`.
        #expect(entry.strings("Cn") == ["Alice"])
        #expect(entry.values("cn;lang-en").isEmpty)
        #expect(entry.first("uid") == nil)
    }

    @Test func longFormLengthsAreAccepted() throws {
        // The same entry with non-minimal long-form lengths (64 81 51, 04 81 1b): valid BER.
        let bytes =
            hexBytes("305702010264815104811b") + Array("uid=alice,dc=example,dc=org".utf8)
            + hexBytes("3031301b04046d61696c31130411") + Array("alice@example.org".utf8)
            + hexBytes("30120402636e310c0405") + Array("Alice".utf8) + hexBytes("0403416cff")
        guard case .searchResultEntry(let entry) = try LDAPMessage(decoding: bytes[...]).op else {
            Issue.record("not an entry")
            return
        }
        #expect(entry.dn == "uid=alice,dc=example,dc=org")
        #expect(entry.attributes.count == 2)
    }

    @Test func searchResultDoneWithReferral() throws {
        let uri = "ldap://b.example.org/dc=example,dc=org"
        // 65 31 { 0a 01 0a referral, 04 00, 04 00, a3 28 { 04 26 uri } } (§4.1.9, §4.1.10)
        let bytes = hexBytes("3036020105 65310a010a04000400a3280426") + Array(uri.utf8)
        let message = try LDAPMessage(decoding: bytes[...])
        #expect(message.messageID == 5)
        #expect(
            message.op == .searchResultDone(LDAPResult(code: .referral, matchedDN: "", diagnosticMessage: "", referral: [uri])))
    }

    @Test func bindResponseWithPasswordPolicyError() throws {
        // invalidCredentials (49 = 0x31) with ppolicy { error [1] accountLocked(1) }: 30 03 81 01 01.
        let bytes =
            hexBytes("30320201016107 0a01310400 0400 a024 3022 0419") + Self.ppolicyOID + hexBytes("0405 3003810101")
        let message = try LDAPMessage(decoding: bytes[...])
        #expect(message.op == .bindResponse(LDAPResult(code: .invalidCredentials)))
        #expect(message.controls == [LDAPControl(oid: PasswordPolicyControl.oid, critical: false, value: hexBytes("3003810101"))])
        let policy = try PasswordPolicyResponse(decoding: message.controls[0])
        #expect(policy == PasswordPolicyResponse(timeBeforeExpiration: nil, graceAuthNsRemaining: nil, error: .accountLocked))
    }

    @Test func passwordPolicyWarnings() throws {
        // warning [0] EXPLICIT { graceAuthNsRemaining [1] 2 } as slapd's ppolicy overlay writes it.
        let grace = try PasswordPolicyResponse(controlValue: hexBytes("3005a003810102"))
        #expect(grace == PasswordPolicyResponse(graceAuthNsRemaining: 2))
        // warning { timeBeforeExpiration [0] 3600 }
        let expiry = try PasswordPolicyResponse(controlValue: hexBytes("3006a00480020e10"))
        #expect(expiry == PasswordPolicyResponse(timeBeforeExpiration: 3600))
        // grace login used up, and the password expired: warning and error together.
        let both = try PasswordPolicyResponse(controlValue: hexBytes("3008a003810100810100"))
        #expect(both == PasswordPolicyResponse(graceAuthNsRemaining: 0, error: .passwordExpired))
        #expect(try PasswordPolicyResponse(controlValue: hexBytes("3000")) == PasswordPolicyResponse())
        for response in [grace, expiry, both] {
            #expect(try PasswordPolicyResponse(decoding: response.control) == response)
        }
        #expect(both.controlValue == hexBytes("3008a003810100810100"))
        // Implicit tagging of the warning, an unknown error, another OID: refused.
        #expect(throws: LDAPCodecError.self) { try PasswordPolicyResponse(controlValue: hexBytes("3003800102")) }
        #expect(throws: LDAPCodecError.self) { try PasswordPolicyResponse(controlValue: hexBytes("3003810109")) }
        #expect(throws: LDAPCodecError.self) {
            try PasswordPolicyResponse(decoding: LDAPControl(oid: "1.2.3", critical: false, value: hexBytes("3000")))
        }
    }

    @Test func pagedResultsResponse() throws {
        let control = LDAPControl(oid: PagedResultsControl.oid, critical: false, value: hexBytes("3007020100040201ff"))
        let paging = try #require(PagedResultsControl(control))
        #expect(paging.size == 0)
        #expect(paging.cookie == [0x01, 0xff])
        #expect(PagedResultsControl(LDAPControl(oid: PagedResultsControl.oid, critical: false, value: nil)) == nil)
        #expect(PagedResultsControl(LDAPControl(oid: "1.2.3", critical: false, value: control.value)) == nil)
    }

    @Test func extendedAndIntermediateResponses() throws {
        // WhoAmI answer: 78 0f { 0a 01 00, 04 00, 04 00, 8b 08 "dn:cn=me" } (RFC 4532, §4.12)
        let whoAmI = hexBytes("301602010278 110a010004000400 8b08") + Array("dn:cn=me".utf8)
        #expect(
            try LDAPMessage(decoding: whoAmI[...]).op
                == .extendedResponse(.plainSuccess, name: nil, value: Array("dn:cn=me".utf8)))
        // Notice of Disconnection (§4.4.1): message ID 0, responseName [10].
        let notice = hexBytes("302b02010078 260a01340400 0407 62796520627965 8a16") + Array("1.3.6.1.4.1.1466.20036".utf8)
        #expect(
            try LDAPMessage(decoding: notice[...])
                == LDAPMessage(
                    messageID: 0,
                    op: .extendedResponse(
                        LDAPResult(code: .unavailable, diagnosticMessage: "bye bye"),
                        name: LDAPExtendedOperation.noticeOfDisconnection,
                        value: nil)))
        let intermediate = hexBytes("300a0201037905 8003312e32")
        #expect(try LDAPMessage(decoding: intermediate[...]).op == .intermediateResponse(name: "1.2", value: nil))
        let generated = try PasswordModifyResponse(value: hexBytes("30058003616263"))
        #expect(generated.generatedPassword == Array("abc".utf8))
        #expect(try PasswordModifyResponse(value: nil).generatedPassword == nil)
    }

    @Test(arguments: [
        // Indefinite length (BER allows it; LDAP does not, §5.1).
        ("30800201014200 0000", LDAPCodecError.indefiniteLength),
        // [APPLICATION 6] ModifyRequest: not supported, an error rather than a crash.
        ("30070201016602 0400", LDAPCodecError.unsupportedOperation(tag: 6)),
    ])
    func specificErrors(hex: String, error: LDAPCodecError) {
        #expect(throws: error) { try LDAPMessage(decoding: hexBytes(hex)[...]) }
    }

    @Test(arguments: [
        "",  // nothing
        "30",  // truncated
        "3005020101420000",  // trailing bytes after the PDU
        "3006020101420000",  // length beyond the data
        "3105020101 4200",  // SET instead of SEQUENCE
        "30050201ff4200",  // negative message ID
        "3009020500800000004200",  // message ID above 2^31-1
        "300f020101600a020103240304016180 00",  // constructed OCTET STRING as the bind name
        "300c020101600702010004008000",  // bind version 0
        "30080201016103 0a0100",  // LDAPResult without matchedDN and diagnosticMessage
        "3007020101420100",  // unbind with content
        "3009020101 4200 a0020400",  // a control that is not a SEQUENCE
        "3007020101 5f1f0100",  // multi-byte tag
        "3003020101",  // no protocolOp
        "300a02010165050a01000400",  // searchResultDone missing diagnosticMessage
    ])
    func malformedMessagesThrow(hex: String) {
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(decoding: hexBytes(hex)[...]) }
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        // 1,000 nested constructed elements: refused by the parser's depth bound, no stack overflow.
        var bytes: [UInt8] = [0x04, 0x00]
        for _ in 0..<1_000 {
            let count = bytes.count
            bytes =
                [0xa2] + (count < 128 ? [UInt8(count)] : [0x84] + withUnsafeBytes(of: UInt32(count).bigEndian, Array.init))
                + bytes
        }
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(decoding: bytes[...]) }
    }

    @Test func resultCodeNames() {
        #expect(LDAPResultCode.invalidCredentials.description == "invalidCredentials")
        #expect(LDAPResultCode.affectsMultipleDSAs.rawValue == 71)
        #expect(LDAPResultCode(rawValue: 4096).description == "resultCode 4096")
    }
}
