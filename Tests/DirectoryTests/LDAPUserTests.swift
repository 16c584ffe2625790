import LDAP
import Testing

@testable import Directory

/// How an account entry becomes an `LDAPUser`: the address inside the directory's domains, an
/// id that survives renames, the enabled switch; and which logins the directory is asked about.
@Suite struct LDAPUserTests {
    static func entry(_ attributes: [String: [String]], binaryID: [UInt8]? = nil) -> LDAPEntry {
        var list = attributes.sorted { $0.key < $1.key }.map {
            LDAPAttribute(type: $0.key, values: $0.value.map { Array($0.utf8) })
        }
        if let binaryID { list.append(LDAPAttribute(type: "objectGUID", values: [binaryID])) }
        return LDAPEntry(dn: "uid=a,dc=example,dc=org", attributes: list)
    }

    static let inetOrgPerson = LDAPMapping(preset: .inetOrgPerson)

    @Test func theAddressIsTheFirstMailValueInTheDomains() throws {
        let user = try LDAPUser(
            entry: Self.entry(["entryUUID": ["u-1"], "mail": ["a@elsewhere.example", "a@example.org", "a@book.example"]]),
            mapping: Self.inetOrgPerson, domains: ["example.org", "book.example"])
        #expect(user.address == "a@example.org")
        #expect(user.id == "u-1")
    }

    @Test func anEntryWithNoAddressInTheDomainsIsNotAnAccount() {
        // Its record would otherwise move into a domain the directory does not hold.
        #expect(throws: LDAPDirectoryError.self) {
            try LDAPUser(
                entry: Self.entry(["entryUUID": ["u-1"], "mail": ["boss@sql.example"]]), mapping: Self.inetOrgPerson,
                domains: ["example.org"])
        }
    }

    @Test func anEntryWithoutItsIdIsNotAnAccount() {
        // No silent fallback to the DN: a rename would lose the mail.
        #expect(throws: LDAPDirectoryError.self) {
            try LDAPUser(entry: Self.entry(["mail": ["a@example.org"]]), mapping: Self.inetOrgPerson, domains: ["example.org"])
        }
    }

    @Test func aBinaryIdIsWrittenInHex() throws {
        var mapping = Self.inetOrgPerson
        mapping.idAttribute = "objectGUID"
        let user = try LDAPUser(
            entry: Self.entry(["mail": ["a@example.org"]], binaryID: [0x00, 0xFF, 0x10, 0x80]), mapping: mapping,
            domains: ["example.org"])
        #expect(user.id == "hex:00ff1080")
    }

    @Test func posixAccountsAreUidAtTheDomain() throws {
        let user = try LDAPUser(
            entry: Self.entry(["entryUUID": ["u-2"], "uid": ["pat"]]), mapping: LDAPMapping(preset: .posix),
            domains: ["posix.example"])
        #expect(user.address == "pat@posix.example")
    }

    @Test(arguments: [(["active"], true), (["disabled"], false), ([], true)])
    func theEnabledAttribute(values: [String], enabled: Bool) throws {
        let mapping = LDAPMapping(preset: .qmail)
        var attributes = ["entryUUID": ["u-3"], "mail": ["q@example.org"]]
        if !values.isEmpty { attributes["accountStatus"] = values }
        #expect(try LDAPUser(entry: Self.entry(attributes), mapping: mapping, domains: ["example.org"]).enabled == enabled)
        var strict = mapping
        strict.enabledWhenMissing = false
        let missingIsDisabled = try LDAPUser(entry: Self.entry(attributes), mapping: strict, domains: ["example.org"])
        #expect(missingIsDisabled.enabled == (values.isEmpty ? false : enabled))
    }

    @Test(arguments: [
        "alice@example.org", "ALICE@example.org", "pat", "jörg@example.org", "o'brien@example.org",
    ])
    func canonicalLogins(login: String) {
        #expect(LDAPDirectory.isCanonical(login))
    }

    @Test(arguments: [
        "", "alice@example.org ", " alice@example.org", "al ice@example.org", "alice@example.org\t", "al\u{AD}ice@example.org",
        "al\u{200B}ice@example.org", "alice\u{FE0F}@example.org", "alice@example.org\u{0}", "al\u{3000}ice@example.org",
        String(repeating: "a", count: 400),
    ])
    func loginsTheDirectoryWouldMatchLooselyNameNobody(login: String) {
        #expect(!LDAPDirectory.isCanonical(login))
    }
}
