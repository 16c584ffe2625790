import Testing

@testable import LDAP

@Suite struct LDAPFilterTests {
    /// RFC 4515 §4's examples, and how they print back (escapes lowercase, `:DN` as `:dn`,
    /// printable escaped bytes as themselves).
    @Test(arguments: [
        ("(cn=Babs Jensen)", "(cn=Babs Jensen)"),
        ("(!(cn=Tim Howes))", "(!(cn=Tim Howes))"),
        ("(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))", "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))"),
        ("(o=univ*of*mich*)", "(o=univ*of*mich*)"),
        ("(seeAlso=)", "(seeAlso=)"),
        ("(cn:caseExactMatch:=Fred Flintstone)", "(cn:caseExactMatch:=Fred Flintstone)"),
        ("(cn:=Betty Rubble)", "(cn:=Betty Rubble)"),
        ("(sn:dn:2.4.6.8.10:=Barney Rubble)", "(sn:dn:2.4.6.8.10:=Barney Rubble)"),
        ("(o:dn:=Ace Industry)", "(o:dn:=Ace Industry)"),
        ("(:1.2.3:=Wilma Flintstone)", "(:1.2.3:=Wilma Flintstone)"),
        ("(:DN:2.4.6.8.10:=Dino)", "(:dn:2.4.6.8.10:=Dino)"),
        ("(o=Parens R Us \\28for all your parenthetical needs\\29)", "(o=Parens R Us \\28for all your parenthetical needs\\29)"),
        ("(cn=*\\2A*)", "(cn=*\\2a*)"),
        ("(filename=C:\\5cMyFile)", "(filename=C:\\5cMyFile)"),
        ("(bin=\\00\\00\\00\\04)", "(bin=\\00\\00\\00\\04)"),
        ("(sn=Lu\\c4\\8di\\c4\\87)", "(sn=Lu\\c4\\8di\\c4\\87)"),
        ("(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)", "(1.3.6.1.4.1.1466.0=\\04\\02Hi)"),
    ])
    func rfc4515Examples(input: String, printed: String) throws {
        let filter = try LDAPFilter(parsing: input)
        #expect(filter.description == printed)
        #expect(try LDAPFilter(parsing: printed) == filter)
    }

    @Test func parsedShapes() throws {
        #expect(
            try LDAPFilter(parsing: "(o=univ*of*mich*)")
                == .substrings("o", initial: Array("univ".utf8), any: [Array("of".utf8), Array("mich".utf8)], final: nil))
        #expect(try LDAPFilter(parsing: "(cn=*)") == .present("cn"))
        #expect(try LDAPFilter(parsing: "(cn=*a)") == .substrings("cn", initial: nil, any: [], final: [0x61]))
        #expect(try LDAPFilter(parsing: "(cn=a**b)") == .substrings("cn", initial: [0x61], any: [], final: [0x62]))
        #expect(try LDAPFilter(parsing: "(age>=18)") == .greaterOrEqual("age", Array("18".utf8)))
        #expect(try LDAPFilter(parsing: "(age<=18)") == .lessOrEqual("age", Array("18".utf8)))
        #expect(try LDAPFilter(parsing: "(cn~=jon)") == .approx("cn", Array("jon".utf8)))
        #expect(try LDAPFilter(parsing: "(cn;lang-en=x)") == .equality("cn;lang-en", [0x78]))
        #expect(try LDAPFilter(parsing: "(sn=Lučić)") == .equality("sn", Array("Lučić".utf8)))
        #expect(try LDAPFilter(parsing: "(cn=100%)") == .equality("cn", Array("100%".utf8)))
        #expect(
            try LDAPFilter(parsing: "(sn:dn:2.4.6.8.10:=x)")
                == .extensible(rule: "2.4.6.8.10", attribute: "sn", value: [0x78], dnAttributes: true))
        // "dnX" is a matching rule name, not the dn flag.
        #expect(
            try LDAPFilter(parsing: "(cn:dnX:=x)")
                == .extensible(rule: "dnX", attribute: "cn", value: [0x78], dnAttributes: false))
        // White space between list items (a configured filter over several lines).
        #expect(try LDAPFilter(parsing: "(&\n  (a=1)\n  (b=2)\n)") == .and([.equality("a", [0x31]), .equality("b", [0x32])]))
    }

    @Test(arguments: [
        "", "cn=x", "(cn=x", "(cn=x))", "(cn=x)(cn=y)", "()", "(&)", "(|)", "(!)", "(!(a=b)(c=d))", "(=x)", "(cn)",
        "(cn=a(b)", "(cn=\\)", "(cn=\\4)", "(cn=\\zz)", "(cn~=a*)", "(cn>=*)", "(cn:=a*)", "(:=x)", "(:dn:=x)",
        "(c n=x)", "(1.=x)", "(1=x)", "(cn;=x)", "(-cn=x)", "(cn=**)", "( (cn=x))", "(cn=x\u{0})",
    ])
    func invalidFiltersAreRefused(input: String) {
        #expect(throws: LDAPFilterError.self) { try LDAPFilter(parsing: input) }
    }

    @Test func syntaxErrorsSayWhere() {
        #expect(throws: LDAPFilterError.syntax(offset: 4, reason: "\"(\" and NUL must be escaped in a value")) {
            try LDAPFilter(parsing: "(cn=(x)")
        }
    }

    @Test func nestingIsBounded() throws {
        func nested(_ depth: Int) -> String {
            String(repeating: "(!", count: depth - 1) + "(a=b)" + String(repeating: ")", count: depth - 1)
        }
        _ = try LDAPFilter(parsing: nested(64))
        #expect(throws: LDAPFilterError.tooDeep) { try LDAPFilter(parsing: nested(65)) }
        // The deepest filter encodes; the decoder's depth bound refuses it cleanly.
        let request = LDAPSearchRequest(base: "", scope: .baseObject, filter: try LDAPFilter(parsing: nested(64)), attributes: [])
        let bytes = try LDAPMessage(messageID: 1, op: .searchRequest(request)).serialized()
        #expect(throws: LDAPCodecError.self) { try LDAPMessage(decoding: bytes[...]) }
        #expect(throws: LDAPFilterError.tooDeep) { try LDAPFilterTemplate(parsing: nested(65)) }
        // Far deeper input is refused by the same bound (and the length bound), without recursion.
        #expect(throws: LDAPFilterError.self) { try LDAPFilter(parsing: nested(2_000)) }
    }

    @Test func lengthIsBounded() throws {
        let fits = "(cn=" + String(repeating: "a", count: 4096 - 5) + ")"
        #expect(fits.utf8.count == 4096)
        _ = try LDAPFilter(parsing: fits)
        let over = "(cn=" + String(repeating: "a", count: 4096 - 4) + ")"
        #expect(throws: LDAPFilterError.tooLong(4097)) { try LDAPFilter(parsing: over) }
    }

    @Test func setSizeIsBounded() throws {
        func list(_ count: Int) -> String { "(|" + String(repeating: "(a=b)", count: count) + ")" }
        _ = try LDAPFilter(parsing: list(256))
        #expect(throws: LDAPFilterError.tooManyItems) { try LDAPFilter(parsing: list(257)) }
    }

    @Test func escapeCoversEverythingOutsidePrintableASCII() {
        #expect(LDAPFilter.escape(Array("a*b(c)d\\e".utf8) + [0]) == "a\\2ab\\28c\\29d\\5ce\\00")
        #expect(LDAPFilter.escape([0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 0xfe]) == "\\1f ~\\7f\\80\\ff\\fe")
        #expect(LDAPFilter.escape(Array("é".utf8)) == "\\c3\\a9")
        #expect(LDAPFilter.escape([]) == "")
        // Every byte escapes to something that parses back to the same byte.
        let all = (0...255).map { UInt8($0) }
        #expect((try? LDAPFilter(parsing: "(cn=" + LDAPFilter.escape(all) + ")")) == .equality("cn", all))
    }

    @Test func filterEncodingRoundTrips() throws {
        let filter = try LDAPFilter(
            parsing: "(&(!(cn=x))(o=univ*of*mich*)(sn:dn:2.4.6.8.10:=y)(:1.2.3:=z)(age>=1)(age<=9)(cn~=j)(mail=*)(|(a=1)))")
        let request = LDAPSearchRequest(base: "", scope: .baseObject, filter: filter, attributes: [])
        let bytes = try LDAPMessage(messageID: 9, op: .searchRequest(request)).serialized()
        #expect(try LDAPMessage(decoding: bytes[...]).op == .searchRequest(request))
    }
}
