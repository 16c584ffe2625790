import Testing

@testable import LDAP

/// Placeholders are substituted into the parsed tree as bytes: no login can change the filter.
@Suite struct LDAPFilterTemplateTests {
    static let userFilter = "(&(objectClass=inetOrgPerson)(mail=%s))"

    static func filter(_ template: String, login: [UInt8]) throws -> LDAPFilter {
        try LDAPFilterTemplate(parsing: template).filter(.init(login: login))
    }

    @Test(arguments: [
        ("alice@example.org", "(&(objectClass=inetOrgPerson)(mail=alice@example.org))"),
        ("*)(uid=*@example.org", "(&(objectClass=inetOrgPerson)(mail=\\2a\\29\\28uid=\\2a@example.org))"),
        ("*", "(&(objectClass=inetOrgPerson)(mail=\\2a))"),
        ("a)(|(objectClass=*", "(&(objectClass=inetOrgPerson)(mail=a\\29\\28|\\28objectClass=\\2a))"),
        ("back\\slash", "(&(objectClass=inetOrgPerson)(mail=back\\5cslash))"),
        ("\\2a", "(&(objectClass=inetOrgPerson)(mail=\\5c2a))"),
        ("%u%s%%", "(&(objectClass=inetOrgPerson)(mail=%u%s%%))"),
        ("bob@ex\u{0}ample.org", "(&(objectClass=inetOrgPerson)(mail=bob@ex\\00ample.org))"),
        ("zoë@example.org", "(&(objectClass=inetOrgPerson)(mail=zo\\c3\\ab@example.org))"),
    ])
    func injectionAttemptsStayValues(login: String, printed: String) throws {
        let filter = try Self.filter(Self.userFilter, login: Array(login.utf8))
        #expect(filter.description == printed)
        // The structure is the template's, the value exactly the login's bytes.
        #expect(filter == .and([.equality("objectClass", Array("inetOrgPerson".utf8)), .equality("mail", Array(login.utf8))]))
        // And the BER carries the raw bytes in one assertion value.
        let request = LDAPSearchRequest(base: "", scope: .wholeSubtree, filter: filter, attributes: [])
        let bytes = try LDAPMessage(messageID: 1, op: .searchRequest(request)).serialized()
        #expect(try LDAPMessage(decoding: bytes[...]).op == .searchRequest(request))
    }

    @Test func nonUTF8BytesAreEscaped() throws {
        let login: [UInt8] = [0xff, 0xfe, 0x2a, 0x40, 0x78]
        let filter = try Self.filter("(|(uid=%u)(mail=%s)(domain=%d))", login: login)
        #expect(filter.description == "(|(uid=\\ff\\fe\\2a)(mail=\\ff\\fe\\2a@x)(domain=x))")
        #expect(filter == .or([.equality("uid", [0xff, 0xfe, 0x2a]), .equality("mail", login), .equality("domain", [0x78])]))
    }

    @Test func placeholdersInSubstrings() throws {
        let template = try LDAPFilterTemplate(parsing: "(mail=*%u*)")
        let filter = template.filter(.init(login: Array("bob@example.org".utf8)))
        #expect(filter == .substrings("mail", initial: nil, any: [Array("bob".utf8)], final: nil))
        #expect(filter.description == "(mail=*bob*)")
        let hostile = template.filter(.init(login: Array("*)(x@y".utf8)))
        #expect(hostile.description == "(mail=*\\2a\\29\\28x*)")
        // An empty local part stays an empty piece: never widened to (mail=*).
        #expect(
            template.filter(.init(login: Array("@example.org".utf8))) == .substrings("mail", initial: nil, any: [[]], final: nil))
        let mixed = try LDAPFilterTemplate(parsing: "(mail=%u+*@%d)").filter(.init(login: Array("ann@ex.org".utf8)))
        #expect(mixed == .substrings("mail", initial: Array("ann+".utf8), any: [], final: Array("@ex.org".utf8)))
    }

    @Test func placeholderForms() throws {
        let values = LDAPFilterTemplate.Values(login: Array("a@b@c.org".utf8))
        #expect(values == .init(s: Array("a@b@c.org".utf8), u: Array("a@b".utf8), d: Array("c.org".utf8)))
        #expect(
            LDAPFilterTemplate.Values(login: Array("alice".utf8)) == .init(s: Array("alice".utf8), u: Array("alice".utf8), d: []))
        let percent = try Self.filter("(&(quota>=100%%)(uid=%u)(x=\\25u))", login: Array("z@d".utf8))
        #expect(percent.description == "(&(quota>=100%)(uid=z)(x=%u))")
        let extensible = try Self.filter("(uid:caseExactMatch:=%u)", login: Array("Q@d".utf8))
        #expect(extensible == .extensible(rule: "caseExactMatch", attribute: "uid", value: [0x51], dnAttributes: false))
        #expect(try LDAPFilterTemplate(parsing: Self.userFilter).description == Self.userFilter)
    }

    @Test(arguments: ["(%u=x)", "(mail%s=x)", "(mail=%x)", "(mail=%)", "(mail=50%)", "(:%s:=x)", "(mail=%s"])
    func placeholdersOnlyInValues(template: String) {
        #expect(throws: LDAPFilterError.self) { try LDAPFilterTemplate(parsing: template) }
    }
}
