import Core
import PostaTestSupport
import Testing

@testable import MailAuth

/// The key store: generation, rotation with a retiring period, retirement, published records.
@Suite("DKIM key store")
struct DKIMKeyStoreTests {
    static let november: Int64 = 1_796_000_000  // 2026-11-30T00:53:20Z
    static let day: Int64 = 86_400

    private func withStore(_ dialect: Database.Dialect, _ body: (DKIMKeyStore) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { database in
            try await database.migrate(DKIMKeySchema.migrations)
            try await body(DKIMKeyStore(database: database))
        }
    }

    @Test("keygen, rotate, retire", arguments: TestDatabases.dialects)
    func lifeCycle(dialect: Database.Dialect) async throws {
        try await withStore(dialect) { store in
            let now = Self.november
            let rsa = try await store.generate(domain: "Example.ORG", algorithm: .rsaSHA256, bits: 1024, now: now)
            #expect(rsa.domain == "example.org")
            #expect(rsa.selector == "posta-2026-11")
            #expect(rsa.bits == 1024)
            #expect(rsa.state == .active)
            let ed = try await store.generate(domain: "example.org", algorithm: .ed25519SHA256, now: now)
            #expect(ed.selector == "posta-ed25519-2026-11")
            // One active key per algorithm: a second keygen is refused.
            await #expect(throws: DKIMKeyError.self) {
                try await store.generate(domain: "example.org", algorithm: .rsaSHA256, bits: 1024, now: now)
            }
            // The stored key signs, and its published record verifies the signature.
            let signer = try #require(try await store.signingKeys(domain: "example.org").first { $0.algorithm == .rsaSHA256 })
                .signer()
            let message = Array("From: a@example.org\r\n\r\nhi\r\n".utf8)
            let signed = Array(try signer.sign(message: message, time: now).utf8) + message
            let records = try await store.publishedRecords(domain: "example.org")
            #expect(
                records.map(\.name).sorted() == [
                    "posta-2026-11._domainkey.example.org", "posta-ed25519-2026-11._domainkey.example.org",
                ])
            let zone = KeyZone(Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0.text) }))
            #expect(await DKIMVerifier(dns: zone).verify(message: signed, now: now).map(\.result) == [.pass])

            // Rotation: the new RSA key has a new selector and signs; the old one is retiring for a week.
            let rotated = try await store.rotate(domain: "example.org", algorithm: .rsaSHA256, now: now + 3600)
            #expect(rotated.count == 1)
            #expect(rotated[0].retiring.selector == rsa.selector)
            #expect(rotated[0].active.selector == "posta-2026-11-2")
            #expect(rotated[0].active.bits == 1024)
            #expect(rotated[0].retiring.retireAfter == now + 3600 + DKIMKeyStore.defaultRetirementDelay)
            let signing = try await store.signingKeys(domain: "example.org")
            #expect(Set(signing.map(\.selector)) == ["posta-2026-11-2", "posta-ed25519-2026-11"])
            #expect(try await store.publishedRecords(domain: "example.org").count == 3)
            #expect(throws: DKIMKeyError.self) { try rotated[0].retiring.signer() }

            // Retiring before the date needs --force; an active key is never retired without it.
            await #expect(throws: DKIMKeyError.self) {
                try await store.retire(domain: "example.org", selector: rsa.selector, now: now + 2 * Self.day)
            }
            await #expect(throws: DKIMKeyError.self) {
                try await store.retire(domain: "example.org", selector: ed.selector, now: now + 2 * Self.day)
            }
            await #expect(throws: DKIMKeyError.self) {
                try await store.retire(domain: "example.org", selector: "nope", now: now)
            }
            // After the date the next keygen or rotate retires it on the way.
            _ = try await store.rotate(domain: "example.org", algorithm: .ed25519SHA256, now: now + 9 * Self.day)
            let old = try #require(try await store.key(domain: "example.org", selector: rsa.selector))
            #expect(old.state == .retired)
            #expect(old.privateKeyPEM.isEmpty)
            #expect(old.retiredAt == now + 9 * Self.day)
            #expect(try await store.publishedRecords(domain: "example.org").count == 3)  // 2 active + 1 retiring ed25519

            // Selectors are never reused, even retired ones.
            await #expect(throws: DKIMKeyError.self) {
                try await store.generate(domain: "other.example", selector: "x..y", now: now)
            }
            _ = try await store.generate(domain: "other.example", algorithm: .ed25519SHA256, selector: "Fixed", now: now)
            try await store.retire(domain: "other.example", selector: "fixed", force: true, now: now)
            await #expect(throws: DKIMKeyError.self) {
                try await store.generate(domain: "other.example", algorithm: .ed25519SHA256, selector: "fixed", now: now)
            }
            #expect(
                try await store.keys().map(\.domain) == [
                    "example.org", "example.org", "example.org", "example.org", "other.example",
                ])
        }
    }

    @Test("retire after the date, and explicit retireExpired", arguments: TestDatabases.dialects)
    func retireAfterTheDate(dialect: Database.Dialect) async throws {
        try await withStore(dialect) { store in
            let now = Self.november
            let first = try await store.generate(domain: "example.org", algorithm: .ed25519SHA256, now: now)
            _ = try await store.rotate(domain: "example.org", keepFor: Self.day, now: now)
            #expect(try await store.retireExpired(now: now + Self.day - 1).isEmpty)
            let retired = try await store.retireExpired(now: now + Self.day)
            #expect(retired.map(\.selector) == [first.selector])
            _ = try await store.generate(domain: "example.net", algorithm: .ed25519SHA256, now: now)
            _ = try await store.rotate(domain: "example.net", keepFor: Self.day, now: now)
            let key = try await store.retire(domain: "example.net", selector: "posta-ed25519-2026-11", now: now + 2 * Self.day)
            #expect(key.state == .retired)
            await #expect(throws: DKIMKeyError.self) { try await store.rotate(domain: "nowhere.example") }
            await #expect(throws: DKIMKeyError.self) { try await store.generate(domain: "bücher.example", now: now) }
            await #expect(throws: DKIMKeyError.self) { try await store.generate(domain: "a b.example", now: now) }
        }
    }

    @Test func selectorNames() {
        #expect(DKIMSelectorName.next(for: .rsaSHA256, at: 1_798_761_600, taken: []) == "posta-2027-01")
        #expect(
            DKIMSelectorName.next(for: .rsaSHA256, at: 1_798_761_600, taken: ["posta-2027-01", "posta-2027-01-2"])
                == "posta-2027-01-3")
    }

    @Test func zoneFileLinesSplitLongRecords() {
        let record = PublishedDNSRecord(
            name: "s._domainkey.example.org", text: String(repeating: "a", count: 300) + "\"\\", comment: "c")
        #expect(record.characterStrings.count == 2)
        #expect(record.characterStrings[0].count == 257)
        #expect(record.zoneFileLine.hasPrefix("s._domainkey.example.org. IN TXT ( \"aaa"))
        #expect(record.zoneFileLine.hasSuffix("\\\"\\\\\" ) ; c"))
    }
}
