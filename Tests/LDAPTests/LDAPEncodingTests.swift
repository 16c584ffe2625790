import Testing

@testable import LDAP

/// Byte-exact encodings, derived by hand from RFC 4511's ASN.1 and cross-checked against what
/// OpenLDAP's ldapsearch 2.5 sends for the same request.
@Suite struct LDAPEncodingTests {
    @Test func simpleBindRequest() throws {
        let message = LDAPMessage(
            messageID: 1, op: .bindRequest(version: 3, name: "cn=admin,dc=example,dc=org", password: Array("secret".utf8)))
        // 30 2c                      LDAPMessage SEQUENCE, 44 bytes
        //   02 01 01                 messageID 1
        //   60 27                    [APPLICATION 0] BindRequest (§4.2)
        //     02 01 03               version 3
        //     04 1a "cn=admin,…"     name (26 bytes)
        //     80 06 "secret"         simple [0] (primitive, implicit)
        let expected = hexBytes(
            "302c0201016027020103041a636e3d61646d696e2c64633d6578616d706c652c64633d6f72678006736563726574")
        #expect(try message.serialized() == expected)
    }

    @Test func anonymousBindRequest() throws {
        let message = LDAPMessage(messageID: 1, op: .bindRequest(version: 3, name: "", password: []))
        #expect(try message.serialized() == hexBytes("300c020101600702010304008000"))
    }

    @Test func unbindRequest() throws {
        // UnbindRequest ::= [APPLICATION 2] NULL (§4.3): 42 00.
        #expect(try LDAPMessage(messageID: 3, op: .unbindRequest).serialized() == hexBytes("30050201034200"))
    }

    @Test func searchRequestWithNestedFilter() throws {
        let filter = try LDAPFilter(parsing: "(&(objectClass=person)(|(uid=alice)(mail=a*@example.org)))")
        #expect(
            filter
                == .and([
                    .equality("objectClass", Array("person".utf8)),
                    .or([
                        .equality("uid", Array("alice".utf8)),
                        .substrings("mail", initial: Array("a".utf8), any: [], final: Array("@example.org".utf8)),
                    ]),
                ]))
        let request = LDAPSearchRequest(
            base: "dc=example,dc=org", scope: .wholeSubtree, derefAliases: .never, sizeLimit: 0, timeLimit: 0,
            typesOnly: false, filter: filter, attributes: ["mail", "cn"])
        // 63 72 [APPLICATION 3]; 04 11 base; 0a 01 02 scope; 0a 01 00 deref; 02 01 00 ×2 limits;
        // 01 01 00 typesOnly; a0 42 and [0] { a3 15 equality [3] {…}, a1 29 or [1] { a3 0c …,
        // a4 19 substrings [4] { 04 04 "mail", 30 11 { 80 01 "a", 82 0c "@example.org" } } } };
        // 30 0a attributes { 04 04 "mail", 04 02 "cn" }
        let expected = hexBytes(
            """
            30770201026372041164633d6578616d706c652c64633d6f72670a01020a0100020100020100010100a042a315040b6f626a
            656374436c6173730406706572736f6ea129a30c04037569640405616c696365a41904046d61696c3011800161820c406578
            616d706c652e6f7267300a04046d61696c0402636e
            """)
        #expect(try LDAPMessage(messageID: 2, op: .searchRequest(request)).serialized() == expected)
    }

    @Test func searchRequestWithPagedResultsControl() throws {
        let request = LDAPSearchRequest(
            base: "dc=example,dc=org", scope: .wholeSubtree, derefAliases: .never, sizeLimit: 0, timeLimit: 0,
            typesOnly: false, filter: .present("uid"), attributes: [])
        let paging = PagedResultsControl(size: 100, cookie: [])
        // The control value is SEQUENCE { size 100, cookie "" } = 30 05 02 01 64 04 00 (RFC 2696);
        // non-critical, so criticality (DEFAULT FALSE) is left out.
        #expect(paging.control.value == hexBytes("30050201640400"))
        // present [7] is primitive: 87 03 "uid". Controls are [0] after the protocolOp.
        let expected = hexBytes(
            """
            30530201026329041164633d6578616d706c652c64633d6f72670a01020a010002010002010001010087037569643000a023
            30210416312e322e3834302e3131333535362e312e342e333139040730050201640400
            """)
        let message = LDAPMessage(messageID: 2, op: .searchRequest(request), controls: [paging.control])
        #expect(try message.serialized() == expected)
    }

    @Test func pagedResultsControlWithCookieAndCriticality() throws {
        let control = PagedResultsControl(size: 500, cookie: [0xde, 0xad], critical: true).control
        // 500 = 0x01f4: 02 02 01 f4.
        #expect(control.value == hexBytes("3008020201f40402dead"))
        let message = LDAPMessage(messageID: 1, op: .abandonRequest(7), controls: [control])
        // a0 29 { 30 27 { 04 16 oid, 01 01 ff, 04 0a value } }; abandon is [APPLICATION 16] 50 01 07.
        #expect(
            try message.serialized()
                == hexBytes(
                    "3031020101500107a02930270416312e322e3834302e3131333535362e312e342e3331390101ff040a3008020201f40402dead"))
    }

    @Test func startTLSAndWhoAmI() throws {
        // ExtendedRequest [APPLICATION 23] { requestName [0] } = 77 18 80 16 "1.3.6.1.4.1.1466.20037" (§4.14.1).
        let startTLS = LDAPMessage(messageID: 1, op: .extendedRequest(name: LDAPExtendedOperation.startTLS, value: nil))
        #expect(try startTLS.serialized() == hexBytes("301d02010177188016") + Array("1.3.6.1.4.1.1466.20037".utf8))
        let whoAmI = LDAPMessage(messageID: 2, op: .extendedRequest(name: LDAPExtendedOperation.whoAmI, value: nil))
        #expect(try whoAmI.serialized() == hexBytes("301e02010277198017") + Array("1.3.6.1.4.1.4203.1.11.3".utf8))
    }

    @Test func passwordModifyRequestValue() throws {
        let request = PasswordModifyRequest(
            userIdentity: "uid=a,dc=x", oldPassword: Array("old".utf8), newPassword: Array("new".utf8))
        // SEQUENCE { [0] "uid=a,dc=x", [1] "old", [2] "new" } with IMPLICIT primitive tags (RFC 3062 §2).
        #expect(
            request.value == hexBytes("3016800a7569643d612c64633d788103") + Array("old".utf8) + [0x82, 0x03] + Array("new".utf8))
        #expect(PasswordModifyRequest(newPassword: Array("n".utf8)).value == hexBytes("300382016e"))
        #expect(try PasswordModifyRequest(value: request.value) == request)
        #expect(PasswordModifyRequest.oid == "1.3.6.1.4.1.4203.1.11.1")
    }

    @Test func passwordPolicyRequestControl() throws {
        let message = LDAPMessage(
            messageID: 1, op: .bindRequest(version: 3, name: "", password: []), controls: [PasswordPolicyControl.request])
        // Controls [0] { SEQUENCE { controlType } }: no criticality, no value (draft-behera §6.1).
        #expect(
            try message.serialized()
                == hexBytes("302b020101600702010304008000a01d301b0419") + Array("1.3.6.1.4.1.42.2.27.8.5.1".utf8))
    }

    @Test func integersUseTheShortestForm() throws {
        for (id, hex) in [(0, "020100"), (127, "02017f"), (128, "02020080"), (256, "02020100"), (Int32.max, "02047fffffff")] {
            let bytes = try LDAPMessage(messageID: Int32(id), op: .unbindRequest).serialized()
            #expect(hexString(bytes.dropFirst(2).prefix(hex.count / 2)) == hex)
        }
    }

    @Test func unencodableValuesThrow() {
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(messageID: -1, op: .unbindRequest).serialized() }
        let noPieces = LDAPSearchRequest(
            base: "", scope: .baseObject, filter: .substrings("cn", initial: nil, any: [], final: nil), attributes: [])
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(messageID: 1, op: .searchRequest(noPieces)).serialized() }
        let noRule = LDAPSearchRequest(
            base: "", scope: .baseObject, filter: .extensible(rule: nil, attribute: nil, value: [], dnAttributes: false),
            attributes: [])
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(messageID: 1, op: .searchRequest(noRule)).serialized() }
    }
}
