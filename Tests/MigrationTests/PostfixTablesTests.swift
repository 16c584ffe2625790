import Core
import Testing

@testable import Migration

@Suite struct PostfixTablesTests {
    @Test func virtualAliasMap() throws {
        let parsed = PostfixVirtualAliases.parse(try MigrationFixtures.bytes("virtual"))
        let entries = parsed.value.entries
        #expect(entries.count == 6)
        #expect(entries[0].key == .address(MailAddress(localPart: "postmaster", domain: "example.org")))
        #expect(entries[1].targets == ["alice@example.org", "bob@example.org"])
        // A continuation line (starting with whitespace) extends the entry.
        #expect(entries[2].targets == ["bob@example.org", "carol@example.org"] && entries[2].line == 4)
        #expect(entries[3].key == .catchAll(domain: "example.net"))
        #expect(entries[4].key == .bareName("abuse"))
        #expect(entries[5].key == .bareName("example.com") && entries[5].targets == ["anything"])
        // The duplicate (postmap keeps the first) and the broken key.
        #expect(parsed.problems.map(\.line) == [10, 11])
    }

    @Test func mailboxDomains() throws {
        let file = PostfixDomainList.parse(file: try MigrationFixtures.bytes("vmailbox_domains"))
        #expect(file.value.domains == ["example.org", "example.net"])
        #expect(file.problems.map(\.line) == [4, 5])
        let parameter = PostfixDomainList.parse(
            parameter: "example.org, Example.COM\n  hash:/etc/postfix/vdomains /etc/postfix/more bad..name")
        #expect(parameter.value.domains == ["example.org", "example.com"])
        #expect(parameter.value.references == ["hash:/etc/postfix/vdomains", "/etc/postfix/more"])
        #expect(parameter.problems.count == 1)
    }

    @Test func aliasesFile() throws {
        let parsed = PostfixAliases.parse(try MigrationFixtures.bytes("aliases"))
        let entries = parsed.value.entries
        #expect(entries.map(\.name) == ["mailer-daemon", "postmaster", "root", "webmaster", "mixed"])
        #expect(entries[3].targets == ["alice@example.org", "bob@example.org"])
        #expect(entries[4].targets == ["alice"])
        let reasons = parsed.problems.map(\.reason)
        #expect(reasons.contains { $0.contains(":include: target") })
        #expect(reasons.contains { $0.contains("command target \"|/usr/bin/procmail -m /etc/procmailrc\"") })
        #expect(reasons.contains { $0.contains("file target \"/var/mail/archive\"") })
        #expect(reasons.contains { $0.contains("alias root already defined at line 4") })
        #expect(parsed.problems.map(\.line) == [7, 7, 8, 8, 9, 9, 10, 10, 11])
    }

    @Test func continuationWithoutEntryAndUnreadableLines() {
        var bytes = Array("  orphan continuation\nkey value\n".utf8)
        bytes += [0xC3, 0x28, 0x0A] + Array(" more\nnext a@example.org\n".utf8)
        let parsed = PostfixVirtualAliases.parse(bytes)
        #expect(parsed.value.entries.map(\.line) == [5])
        #expect(parsed.problems.map(\.line) == [1, 3, 2])
    }
}
