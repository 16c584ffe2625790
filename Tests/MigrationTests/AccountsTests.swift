import Testing

@testable import Migration

@Suite struct AccountsTests {
    /// What Directory's `PasswordScheme(name:)` knows, for these tests (this target does not import Directory).
    static func known(_ scheme: String) -> Bool {
        [
            "CRYPT", "MD5-CRYPT", "SHA256-CRYPT", "SHA512-CRYPT", "BLF-CRYPT", "SHA", "SHA1", "SSHA", "SHA256", "SSHA256",
            "SHA512", "SSHA512", "PLAIN", "CLEARTEXT",
        ].contains(scheme.uppercased())
    }

    @Test func passwdFileWithHashesDoveadmMade() throws {
        let parsed = DovecotPasswdFile.parse(try MigrationFixtures.bytes("passwd-file"))
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let entries = parsed.value.entries
        #expect(
            entries.map(\.user) == [
                "alice@example.org", "bob@example.org", "carol@example.org", "dave@example.org", "erin@example.org",
            ])
        #expect(entries[0].password?.scheme == "SHA512-CRYPT")
        #expect(entries[0].password?.data.hasPrefix("$6$gC6N/rpj07Jjf38h$") == true)
        #expect(entries[0].uid == nil && entries[0].home == nil)
        #expect(entries[1].password?.description == "{SSHA256}ouEFxk8VBq5dhg0xnYty8MH558yeJ95P5YfiEjm6IlPdyDfR")
        #expect(entries[1].uid == "5000" && entries[1].home == "/var/vmail/example.org/bob")
        #expect(entries[1].extraFields == [.init(key: "userdb_quota_rule", value: "*:storage=1G")])
        #expect(entries[2].gecos == "Carol Example" && entries[2].shell == "/bin/false")
        #expect(
            entries[2].extraFields == [
                .init(key: "userdb_mail", value: "maildir:~/Maildir"), .init(key: "nopassword", value: nil),
            ])
        #expect(entries[2].line == 6)
        // Kept as written; the caller asks whether Posta verifies the scheme.
        #expect(entries[3].password?.unknownScheme(isKnown: Self.known) == "password scheme {ARGON2ID} is not supported")
        #expect(entries[4].password?.unknownScheme(isKnown: Self.known) != nil)
        #expect(entries[1].password?.unknownScheme(isKnown: Self.known) == nil)
    }

    @Test func passwdFileProblems() {
        let text = """
            plain:secret
            nopass::1000:1000
            :{PLAIN}x
            with space:{PLAIN}x
            broken:{SHA
            plain:{PLAIN}again
            """
        let parsed = DovecotPasswdFile.parse(Array(text.utf8))
        #expect(parsed.value.entries.map(\.user) == ["plain", "nopass"])
        #expect(parsed.value.entries[0].password == PasswordText(scheme: "CRYPT", data: "secret", schemeImplied: true))
        #expect(parsed.value.entries[1].password == nil)
        #expect(parsed.problems.map(\.line) == [1, 3, 4, 5, 6])
    }

    @Test func passwordText() {
        #expect(PasswordText.parse("{SHA256.HEX}abcd", defaultScheme: "CRYPT")?.schemeName == "SHA256")
        #expect(PasswordText.parse("{SSHA}x", defaultScheme: "CRYPT")?.schemeName == "SSHA")
        #expect(PasswordText.parse("{}x", defaultScheme: "CRYPT") == nil)
        #expect(PasswordText.parse("", defaultScheme: "CRYPT") == nil)
        #expect(PasswordText.parse("{a b}x", defaultScheme: "CRYPT") == nil)
    }

    @Test func ldifEntriesAndAccounts() throws {
        let parsed = LDIF.parse(try MigrationFixtures.bytes("accounts.ldif"))
        let entries = parsed.value.entries
        #expect(
            entries.map(\.dn) == [
                "dc=example,dc=org", "uid=bob,ou=people,dc=example,dc=org", "uid=juergen,ou=people,dc=example,dc=org",
                "uid=dave,ou=people,dc=example,dc=org", "uid=nomail,ou=people,dc=example,dc=org",
            ])
        // The change record at the end is not content.
        #expect(
            parsed.problems.count == 1 && parsed.problems[0].line == 45 && parsed.problems[0].reason.contains("change record"))
        #expect(entries[2].value("cn") == "Jürgen Müller")
        #expect(entries[2].line == 23)

        let accounts = entries.map { LDIFAccount.from($0, isKnownScheme: Self.known) }
        #expect(accounts[0].value == nil && accounts[0].problems.count == 1)
        let bob = try #require(accounts[1].value)
        #expect(bob.address == "bob@example.org" && bob.otherAddresses == ["robert@example.org"])
        #expect(bob.password?.description == "{SSHA256}ouEFxk8VBq5dhg0xnYty8MH558yeJ95P5YfiEjm6IlPdyDfR")
        #expect(bob.displayName == "Bob Example" && accounts[1].problems.isEmpty)
        let juergen = try #require(accounts[2].value)
        #expect(juergen.password?.scheme == "SHA512-CRYPT" && juergen.password!.data.hasSuffix("aGrr11"))
        #expect(juergen.displayName == "Jürgen Müller")
        // An unknown scheme: reported, the password left out, the caller decides.
        let dave = try #require(accounts[3].value)
        #expect(dave.password == nil && dave.displayName == "Dave E.")
        #expect(accounts[3].problems.map(\.reason) == ["dave@example.org: password scheme {ARGON2ID} is not supported"])
        #expect(accounts[4].value == nil)
    }

    @Test func ldifProblems() {
        let text = """
            dn: cn=a
            cn: a
            sn:: !!!not base64
            mail: a@example.org

            dn: cn=b
            jpegPhoto:< file:///tmp/b.jpg

            cn: no-dn-first
            mail: x@example.org

            dn: cn=c
            description:: /w==
            cn;lang-de: C
             continued
            no colon here

            dn: cn=d
            mail: d@example.org
            """
        let parsed = LDIF.parse(Array(text.utf8))
        #expect(parsed.value.entries.map(\.dn) == ["cn=d"])
        #expect(parsed.problems.map(\.line) == [3, 1, 7, 6, 9, 16, 12])
        let binary = LDIF.parse(Array("dn: cn=e\ndescription:: /w==\ncn;lang-de: C\n continued\n".utf8)).value.entries[0]
        #expect(binary.attributes[0].bytes == [0xFF] && binary.attributes[0].text == nil)
        #expect(binary.value("cn;lang-de") == "Ccontinued")
    }
}
