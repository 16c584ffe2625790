import Core
import Directory
import PostaTestSupport
import Testing

@Suite("Config: [[directory.ldap]]")
struct ConfigLDAPTests {
    @Test func noTableNoDirectory() throws {
        let config = try #require(parsedConfig(configHeader, sections: [DirectorySettings.self]))
        #expect(config.directory.ldap.isEmpty)
    }

    @Test func oneTableWithAPresetAndOverrides() throws {
        let text =
            configHeader + """

                [directory.ldap]
                urls = ["ldap://127.0.0.1:3389", "ldaps://[::1]:3636"]
                start_tls = true
                ca_file = "/etc/posta/ca.pem"
                bind_dn = "cn=posta,dc=example,dc=org"
                bind_password_file = "/etc/posta/ldap-password"
                base = "dc=example,dc=org"
                scope = "one"
                domains = ["Example.org", "book.example"]
                preset = "postfix-book"
                auth = "compare"
                timeout = "3s"
                cache_ttl = 0
                connections = 8
                alias_filter = ""
                quota_attribute = "quota"
                enabled_values = ["TRUE", "yes"]
                """
        let ldap = try #require(parsedConfig(text, sections: [DirectorySettings.self])).directory.ldap
        #expect(ldap.count == 1)
        let source = try #require(ldap.first)
        #expect(source.urls == ["ldap://127.0.0.1:3389", "ldaps://[::1]:3636"])
        #expect(source.startTLS && source.caFile == "/etc/posta/ca.pem" && source.scope == .one && source.auth == .compare)
        #expect(source.domains == ["example.org", "book.example"])
        #expect(source.timeout == .seconds(3) && source.cacheTTL == .seconds(0) && source.connections == 8)
        #expect(source.mapping.userFilter == "(&(objectClass=PostfixBookMailAccount)(mail=%s))")
        #expect(source.mapping.aliasFilter == nil)
        #expect(source.mapping.forwardAttribute == "mailForwardingAddress")
        #expect(source.mapping.quotaAttribute == "quota")
        #expect(source.mapping.enabledValues == ["TRUE", "yes"])
    }

    @Test func severalTablesEachForItsDomains() throws {
        let text =
            configHeader + """

                [[directory.ldap]]
                urls = ["ldap://127.0.0.1:3389"]
                base = "dc=example,dc=org"
                domains = ["example.org"]

                [[directory.ldap]]
                urls = ["ldap://127.0.0.1:3389"]
                base = "dc=example,dc=org"
                domains = ["posix.example"]
                preset = "posix"
                """
        let ldap = try #require(parsedConfig(text, sections: [DirectorySettings.self])).directory.ldap
        #expect(ldap.map(\.preset) == [.inetOrgPerson, .posix])
        #expect(ldap[1].mapping.mailAttribute == nil)
        #expect(ldap[1].mapping.userFilter == "(&(objectClass=posixAccount)(uid=%u))")
    }

    @Test func errorsNameKeyAndLine() {
        let errors = configErrors(
            configHeader + """

                [[directory.ldap]]
                urls = ["http://127.0.0.1"]
                base = "dc=example,dc=org"
                domains = ["example.org"]

                [[directory.ldap]]
                urls = ["ldap://127.0.0.1"]
                base = "dc=example,dc=org"
                domains = ["example.org"]
                bind_dn = "cn=x"
                user_filter = "(mail=%s"
                mail_attribute = "mail;lang"
                scope = "deep"
                """, sections: [DirectorySettings.self])
        let found = errors.map { "\($0.line ?? 0) \($0.key ?? "")" }
        #expect(found.contains("4 directory.ldap[0].urls"))
        #expect(found.contains { $0.hasSuffix("directory.ldap[1].bind_password_file") })
        #expect(found.contains("13 directory.ldap[1].user_filter"))
        #expect(found.contains("14 directory.ldap[1].mail_attribute"))
        #expect(found.contains("15 directory.ldap[1].scope"))
    }

    @Test func aDomainBelongsToOneTable() {
        let table =
            "\n[[directory.ldap]]\nurls = [\"ldap://127.0.0.1\"]\nbase = \"dc=example,dc=org\"\ndomains = [\"example.org\"]\n"
        let errors = configErrors(configHeader + table + table, sections: [DirectorySettings.self])
        #expect(errors.map(\.message) == ["the domain example.org is named by two [[directory.ldap]] tables"])
    }

    @Test func plaintextToAnotherHostIsRefusedUnlessAskedFor() {
        func errors(_ lines: String) -> [String] {
            configErrors(
                configHeader + "\n[[directory.ldap]]\nbase = \"dc=example,dc=org\"\ndomains = [\"example.org\"]\n" + lines,
                sections: [DirectorySettings.self]
            ).map { $0.key ?? "" }
        }
        #expect(errors("urls = [\"ldap://ldap.example.org\"]\n") == ["directory.ldap[0].urls"])
        #expect(errors("urls = [\"ldap://127.0.0.1\", \"ldap://10.0.0.2\"]\n") == ["directory.ldap[0].urls"])
        #expect(errors("urls = [\"ldaps://ldap.example.org\"]\n").isEmpty)
        #expect(errors("urls = [\"ldap://ldap.example.org\"]\nstart_tls = true\n").isEmpty)
        #expect(errors("urls = [\"ldap://ldap.example.org\"]\nallow_plaintext = true\n").isEmpty)
        #expect(errors("urls = [\"ldap://localhost\", \"ldap://127.0.0.2\", \"ldap://[::1]\"]\n").isEmpty)
    }

    @Test func anEmptyBindDNIsRefused() {
        let errors = configErrors(
            configHeader
                + "\n[[directory.ldap]]\nurls = [\"ldap://127.0.0.1\"]\nbase = \"dc=example,dc=org\"\ndomains = [\"example.org\"]\n"
                + "bind_dn = \"\"\nbind_password_file = \"/etc/posta/p\"\n", sections: [DirectorySettings.self])
        #expect(errors.map { $0.key ?? "" } == ["directory.ldap[0].bind_dn"])
    }

    @Test func accountsWithoutAMailAttributeHaveOneDomain() {
        // uid@domain: with two domains the same entry would be two addresses, and its record
        // would flip between them with every lookup.
        let errors = configErrors(
            configHeader
                + "\n[[directory.ldap]]\nurls = [\"ldap://127.0.0.1\"]\nbase = \"dc=example,dc=org\"\npreset = \"posix\"\n"
                + "domains = [\"a.example\", \"b.example\"]\n", sections: [DirectorySettings.self])
        #expect(errors.map { $0.key ?? "" } == ["directory.ldap[0].domains"])
    }

    @Test func enabledWhenMissing() throws {
        let text =
            configHeader
            + "\n[[directory.ldap]]\nurls = [\"ldap://127.0.0.1\"]\nbase = \"dc=example,dc=org\"\ndomains = [\"example.org\"]\n"
            + "preset = \"qmail\"\nenabled_when_missing = false\n"
        let source = try #require(parsedConfig(text, sections: [DirectorySettings.self])?.directory.ldap.first)
        #expect(source.mapping.enabledWhenMissing == false)
        #expect(LDAPSourceSettings(urls: [], base: "", domains: []).mapping.enabledWhenMissing)
    }
}
