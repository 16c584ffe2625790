import Core
import PostaTestSupport
import Testing

@testable import Filter

@Suite struct SpamDecisionTests {
    func report(
        _ score: Double, junk: Double? = 5, reject: Double? = nil, quarantine: Double? = nil,
        scanner: String = "spamassassin"
    ) -> SpamReport {
        var thresholds = FilterSettings.SpamThresholds()
        thresholds.junk = junk
        thresholds.reject = reject
        thresholds.quarantine = quarantine
        return SpamReport(
            scanner: scanner, score: score, required: 5, symbols: ["GTUBE"], thresholds: thresholds)
    }

    @Test func eachRecipientHasItsOwnThreshold() {
        let strict = SpamPreferences(junkThreshold: 3)
        let lenient = SpamPreferences(junkThreshold: 10)
        guard
            case .deliver(let verdicts, nil) = SpamDecision.decide(
                [report(6)], recipients: [strict, lenient, SpamPreferences()])
        else {
            Issue.record("not delivered")
            return
        }
        #expect(verdicts.map(\.junk) == [true, false, true])
        #expect(
            verdicts[0].headers[0] == "X-Spam-Flag: YES"
                && verdicts[0].headers[2].contains("required=3.0"))
        #expect(
            verdicts[1].headers[0] == "X-Spam-Flag: NO"
                && verdicts[1].headers[2].contains("required=10.0"))
        #expect(verdicts[2].headers[2].contains("required=5.0"))
    }

    @Test func junkOffKeepsSpamInTheInboxFlagged() {
        let verdict = SpamDecision.recipient([report(6)], SpamPreferences(junk: false))
        #expect(!verdict.junk && verdict.headers[0] == "X-Spam-Flag: YES")
        var off = report(6)
        off.thresholds.junkFolder = false
        #expect(!SpamDecision.recipient([off], SpamPreferences()).junk)
        #expect(SpamDecision.recipient([off], SpamPreferences(junk: true)).junk)
    }

    @Test func rejectOnlyWhenEveryRecipientRejects() {
        let strict = SpamPreferences(rejectThreshold: 8)
        #expect(
            SpamDecision.decide([report(9)], recipients: [strict, strict])
                == .reject(DeliveryReply(554, .init(5, 7, 1), "Message rejected as spam (score 9.0)")))
        guard
            case .deliver(let verdicts, nil) = SpamDecision.decide(
                [report(9)], recipients: [strict, SpamPreferences(junkThreshold: 20)])
        else {
            Issue.record("refused although one recipient accepts")
            return
        }
        #expect(verdicts[0].rejects && verdicts[0].junk)
        #expect(!verdicts[1].rejects && !verdicts[1].junk)
        // The configured reject_score is the default; a recipient may raise it.
        #expect(
            SpamDecision.decide([report(9, reject: 8)], recipients: [SpamPreferences()])
                == .reject(DeliveryReply(554, .init(5, 7, 1), "Message rejected as spam (score 9.0)")))
        guard
            case .deliver = SpamDecision.decide(
                [report(9, reject: 8)],
                recipients: [SpamPreferences(), SpamPreferences(rejectThreshold: 50)])
        else {
            Issue.record("refused although one recipient raised the threshold")
            return
        }
        #expect(
            SpamDecision.decide([report(9, reject: 8)], recipients: [])
                != .reject(DeliveryReply(554, .init(5, 7, 1), "Message rejected as spam (score 9.0)")))
    }

    @Test func quarantineStaysPerMessageAndScannersAddUp() {
        guard
            case .deliver(_, let held?) = SpamDecision.decide(
                [report(12, quarantine: 10)], recipients: [SpamPreferences(junkThreshold: 50)])
        else {
            Issue.record("not quarantined")
            return
        }
        #expect(held == "spam: score 12.0 (spamassassin)")
        var rspamd = report(2, scanner: "rspamd")
        rspamd.extraHeaders = ["X-Spam-Action: no action"]
        let both = SpamDecision.recipient([report(6), rspamd], SpamPreferences())
        #expect(both.junk && both.headers.count == 7 && both.headers.last == "X-Spam-Action: no action")
        #expect(both.headers[3] == "X-Spam-Flag: NO")
    }

    @Test func preferencesInheritFieldByField() {
        let account = SpamPreferences(junkThreshold: 2)
        let domain = SpamPreferences(junkThreshold: 7, rejectThreshold: 20, junk: false)
        #expect(
            account.over(domain) == SpamPreferences(junkThreshold: 2, rejectThreshold: 20, junk: false))
        #expect(SpamPreferences().isEmpty && !account.isEmpty)
    }
}

@Suite struct SpamSettingsStoreTests {
    @Test(arguments: TestDatabases.dialects)
    func resolutionAccountThenDomainThenDefaults(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(SpamSettingsSchema.migrations)
            let store = SpamSettingsStore(database: db)
            try await store.put("@example.org", SpamPreferences(junkThreshold: 7.5, junk: false))
            try await store.put(
                "alice@example.org", SpamPreferences(junkThreshold: 2, rejectThreshold: 30))
            let resolved = try await store.preferences(for: [
                "Alice@Example.org", "bob@example.org", "carol@other.example",
            ])
            #expect(resolved[0] == SpamPreferences(junkThreshold: 2, rejectThreshold: 30, junk: false))
            #expect(resolved[1] == SpamPreferences(junkThreshold: 7.5, junk: false))
            #expect(resolved[2] == SpamPreferences())
            #expect(try await store.list().map(\.scope) == ["@example.org", "alice@example.org"])
            // Replacing, emptying (deletes the row) and deleting.
            try await store.put("alice@example.org", SpamPreferences(junk: true))
            #expect(try await store.entry("alice@example.org")?.settings == SpamPreferences(junk: true))
            try await store.put("alice@example.org", SpamPreferences())
            #expect(try await store.entry("alice@example.org") == nil)
            #expect(try await store.delete("@example.org"))
            #expect(!(try await store.delete("@example.org")))
            #expect(try await store.preferences(for: ["bob@example.org"]) == [SpamPreferences()])
        }
    }

    @Test func scopes() {
        #expect(SpamSettingsStore.normalize("Alice@Example.ORG") == "alice@example.org")
        #expect(SpamSettingsStore.normalize("@Example.org") == "@example.org")
        #expect(SpamSettingsStore.normalize("example.org") == nil)
        #expect(SpamSettingsStore.normalize("@x@example.org") == nil)
        #expect(SpamSettingsStore.normalize("alice@") == nil)
    }
}
