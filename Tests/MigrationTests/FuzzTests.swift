import PostaTestSupport
import Testing

@testable import Migration

/// Seeded mutations of the fixtures: every parser must return (never trap), keep its invariants and bound its
/// problem list, whatever the bytes.
@Suite struct FuzzTests {
    static let fragments: [[UInt8]] = [
        "\n", "\r\n", " ", ":", "::", "\t", "0 ", "4294967295 ", "4294967296 ", "3 V0 N0\n", "\n\n", "From ",
        "From a Mon Jan  1 10:00:00 2024\n", ">From ", "{", "}", "{SSHA}", "dn: ", "\u{01}", ",S=", ":2,", "@", "#",
        "\u{00e9}", "Content-Length: 3\n", "X-UID: 0\n",
    ].map { Array($0.utf8) }

    static func mutate(_ sample: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = sample
        for _ in 0..<Int.random(in: 1...8, using: &random) {
            let position = Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes.insert(contentsOf: fragments.randomElement(using: &random)!, at: position)
            case 1 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 2:
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                bytes.removeSubrange(position..<end)
            case 3:
                bytes.insert(contentsOf: [UInt8](repeating: UInt8.random(in: 0...255, using: &random), count: 300), at: position)
            default:
                let end = min(bytes.count, position + Int.random(in: 1...200, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }

    static func samples(_ paths: [String]) throws -> [[UInt8]] { try paths.map(MigrationFixtures.bytes) }

    @Test func uidlists() throws {
        var random = SeededGenerator(seed: 3501)
        let samples =
            try Self.samples([
                "dovecot-maildir/INBOX.dovecot-uidlist", "dovecot-maildir/Lists.posta.dovecot-uidlist",
            ]) + [Array("1 5 10\n1 a\n2 b:2,S\n".utf8)]
        for iteration in 0..<2_000 {
            let parsed = DovecotUIDList.parse(Self.mutate(samples[iteration % samples.count], &random))
            #expect(parsed.problems.count <= MigrationLimits.maxProblems + 1)
            guard let list = parsed.value else { continue }
            #expect(list.uidValidity != 0)
            let uids = list.records.map(\.uid)
            #expect(uids.allSatisfy { $0 != 0 && $0 < list.nextUID })
            #expect(zip(uids, uids.dropFirst()).allSatisfy { $0 < $1 })
            #expect(Set(list.records.map(\.fileName)).count == uids.count)
        }
    }

    @Test func maildirFiles() throws {
        var random = SeededGenerator(seed: 2822)
        let keywords = try MigrationFixtures.bytes("dovecot-maildir/INBOX.dovecot-keywords")
        let subscriptions = try MigrationFixtures.bytes("dovecot-maildir/subscriptions")
        let names = try MigrationFixtures.bytes("dovecot-maildir/files.txt")
        for _ in 0..<1_000 {
            let parsedKeywords = DovecotKeywords.parse(Self.mutate(keywords, &random)).value
            #expect(parsedKeywords.byIndex.keys.allSatisfy { (0...25).contains($0) })
            _ = DovecotSubscriptions.parse(Self.mutate(subscriptions, &random))
            let text = String(decoding: Self.mutate(names, &random), as: UTF8.self)
            for name in text.split(separator: "\n") {
                let parsed = MaildirMessageName.parse(String(name))
                _ = parsed.value.flags(keywords: parsedKeywords)
                _ = MaildirFolderName.parse(String(name), decodeModifiedUTF7: MigrationFixtures.decodeModifiedUTF7)
                _ = DovecotPOP3UIDLFormat.expand(String(name), uid: 1, uidValidity: 2, fileName: "f")
            }
        }
    }

    /// Chunked reading must agree with reading the whole file, for broken files too.
    @Test func mbox() throws {
        var random = SeededGenerator(seed: 4155)
        let samples = try Self.samples(["dovecot.mbox"]) + [Array(MboxTests.mboxrd.utf8)]
        for iteration in 0..<600 {
            let bytes = Self.mutate(samples[iteration % samples.count], &random)
            let variant: MboxVariant = [.mboxrd, .mboxo, .mboxcl2][iteration % 3]
            let whole = MboxReader.parse(bytes, variant: variant, maxMessageSize: 600)
            var reader = MboxReader(variant: variant, maxMessageSize: 600)
            var items: [MboxItem] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...700, using: &random))
                items += reader.read(bytes[start..<end])
                start = end
            }
            items += reader.finish()
            let messages = items.compactMap { if case .message(let message) = $0 { message } else { nil } }
            #expect(messages.allSatisfy { $0.bytes.count <= 600 })
            // Chunks can only differ on From_ lines longer than the pending limit, which these samples lack.
            #expect(messages == whole.value.messages)
        }
    }

    @Test func accountsAndMaps() throws {
        var random = SeededGenerator(seed: 2849)
        let passwd = try MigrationFixtures.bytes("passwd-file")
        let ldif = try MigrationFixtures.bytes("accounts.ldif")
        let virtual = try MigrationFixtures.bytes("virtual")
        let aliases = try MigrationFixtures.bytes("aliases")
        let domains = try MigrationFixtures.bytes("vmailbox_domains")
        for _ in 0..<1_000 {
            let users = DovecotPasswdFile.parse(Self.mutate(passwd, &random)).value.entries
            #expect(Set(users.map { $0.user.lowercased() }).count == users.count)
            for entry in LDIF.parse(Self.mutate(ldif, &random)).value.entries {
                _ = LDIFAccount.from(entry, isKnownScheme: AccountsTests.known)
            }
            _ = PostfixVirtualAliases.parse(Self.mutate(virtual, &random))
            let parsedAliases = PostfixAliases.parse(Self.mutate(aliases, &random)).value.entries
            #expect(parsedAliases.allSatisfy { !$0.targets.isEmpty })
            _ = PostfixDomainList.parse(file: Self.mutate(domains, &random))
        }
    }

    @Test func binaryGarbage() {
        var random = SeededGenerator(seed: 1939)
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0...5000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = DovecotUIDList.parse(bytes)
            _ = DovecotKeywords.parse(bytes)
            _ = DovecotSubscriptions.parse(bytes)
            _ = MboxReader.parse(bytes)
            _ = DovecotPasswdFile.parse(bytes)
            _ = LDIF.parse(bytes)
            _ = PostfixVirtualAliases.parse(bytes)
            _ = PostfixAliases.parse(bytes)
            _ = PostfixDomainList.parse(file: bytes)
        }
    }
}
