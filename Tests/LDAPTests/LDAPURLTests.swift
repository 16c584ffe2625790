import Testing

@testable import LDAP

@Suite struct LDAPURLTests {
    @Test(arguments: [
        ("ldap://ldap.example.org", "ldap", "ldap.example.org", 389, false),
        ("ldaps://ldap.example.org", "ldaps", "ldap.example.org", 636, true),
        ("LDAP://Ldap.Example.org:10389/", "ldap", "Ldap.Example.org", 10389, false),
        ("ldaps://192.0.2.7:6636", "ldaps", "192.0.2.7", 6636, true),
        ("ldap://[2001:db8::1]", "ldap", "2001:db8::1", 389, false),
        ("ldaps://[::1]:1636/", "ldaps", "::1", 1636, true),
    ])
    func validURLs(text: String, scheme: String, host: String, port: Int, isTLS: Bool) throws {
        let url = try LDAPURL(parsing: text)
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.isTLS == isTLS)
        #expect(try LDAPURL(parsing: url.description) == url)
    }

    @Test(arguments: [
        "", "ldap.example.org", "http://x", "ldap://", "ldap://:389", "ldap://x:0", "ldap://x:65536", "ldap://x:",
        "ldap://x:+1", "ldap://x/dc=example,dc=org", "ldap://x/??sub", "ldap://x?", "ldap://user@x", "ldap://[::1",
        "ldap://[::1]x", "ldap://[x]", "ldap://ex ample", "ldaps://x:99999999999999999999",
    ])
    func invalidURLs(text: String) {
        #expect(throws: LDAPURLError.self) { try LDAPURL(parsing: text) }
    }

    @Test func descriptionBracketsIPv6() throws {
        #expect(try LDAPURL(parsing: "ldap://[2001:db8::1]").description == "ldap://[2001:db8::1]:389")
        #expect(try LDAPURL(parsing: "ldaps://x").description == "ldaps://x:636")
    }
}
