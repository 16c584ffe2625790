import Core
import Foundation
import Monitor
import PostaTestSupport
import Testing

@Suite struct AbuseScorerTests {
    let scorer = AbuseScorer(settings: AbuseSettings())

    func sends(_ ips: [String], each: Int = 1, at start: Int64 = 10_000) -> [AbuseSend] {
        var result: [AbuseSend] = []
        for (index, ip) in ips.enumerated() {
            for n in 0..<each {
                result.append(
                    AbuseSend(ip: ip, network: AbuseNetwork.key(ip), recipients: 1, at: start + Int64(index * each + n)))
            }
        }
        return result
    }

    func rule(_ score: AbuseScore, _ rule: AbuseRule) -> AbuseRuleScore {
        score.rules.first { $0.rule == rule }!
    }

    @Test func networkKeys() {
        #expect(AbuseNetwork.key("192.0.2.77") == "192.0.2.0/24")
        #expect(AbuseNetwork.key("2001:db8:1:2::5") == "2001:db8:1::/48")
        #expect(AbuseNetwork.key("10.1.2.3", v4: 16) == "10.1.0.0/16")
        #expect(AbuseNetwork.key("not an address") == "not an address")
        #expect(AbuseNetwork.parse("192.0.2.9") == "192.0.2.9/32")
        #expect(AbuseNetwork.parse("192.0.2.9/24") == "192.0.2.0/24")
        #expect(AbuseNetwork.parse("192.0.2.9/33") == nil)
        #expect(AbuseNetwork.parse("bob@example.org") == nil)
        #expect(AbuseNetwork.contains("192.0.2.0/24", "192.0.2.200"))
        #expect(!AbuseNetwork.contains("192.0.2.0/24", "192.0.3.1"))
    }

    @Test func pointsGrowWithTheValueUpToThreeTimesTheWeight() {
        #expect(AbuseScorer.points(value: 1, threshold: 2, weight: 30) == 0)
        #expect(AbuseScorer.points(value: 2, threshold: 2, weight: 30) == 30)
        #expect(AbuseScorer.points(value: 5, threshold: 2, weight: 30) == 75)
        #expect(AbuseScorer.points(value: 500, threshold: 2, weight: 30) == 90)
        #expect(AbuseScorer.points(value: 10, threshold: 2, weight: 0) == 0)
        #expect(AbuseScorer.points(value: Int.max, threshold: 1, weight: 10_000) == 30_000)
    }

    @Test func aUserSendingFromWhereSheReadsMailScoresNothing() {
        let history = AbuseHistory(
            accountID: 1, account: "ann@example.org", sends: sends(["198.51.100.7", "203.0.113.9"], each: 5),
            readIPs: ["198.51.100.7", "203.0.113.9"], readNetworks: ["198.51.100.0/24", "203.0.113.0/24"], busiestPastHour: 8)
        let score = scorer.score(history)
        #expect(score.total == 0)
        #expect(!score.exceeds)
        #expect(score.ips.map(\.messages) == [5, 5])
        #expect(score.ips.allSatisfy { $0.readMail })
    }

    @Test func aTravellerWithOneNewAddressIsNotSuspended() {
        let history = AbuseHistory(
            accountID: 1, account: "ann@example.org", sends: sends(["192.0.2.50"], each: 3), readIPs: ["198.51.100.7"],
            readNetworks: ["198.51.100.0/24"])
        let score = scorer.score(history)
        #expect(rule(score, .unreadNetwork).value == 1)
        #expect(score.total == 0)
    }

    @Test func aBotnetFanOutIsSuspended() {
        let bots = (1...6).map { "10.\($0).0.1" }
        let history = AbuseHistory(
            accountID: 7, account: "bob@example.org", sends: sends(bots), readIPs: ["198.51.100.7"],
            readNetworks: ["198.51.100.0/24"])
        let score = scorer.score(history)
        #expect(rule(score, .unreadNetwork).value == 6)
        #expect(rule(score, .unreadNetwork).score == 90)
        #expect(rule(score, .fanout).score == 45)
        #expect(score.total == 135)
        #expect(score.exceeds)
        #expect(score.ips.count == 6 && score.ips.allSatisfy { !$0.readMail })
    }

    @Test func rateCountsAgainstTheAccountsOwnBusiestHour() {
        var history = AbuseHistory(
            accountID: 1, account: "ann@example.org", sends: sends(["198.51.100.7"], each: 30), readIPs: ["198.51.100.7"],
            readNetworks: ["198.51.100.0/24"], busiestPastHour: 12)
        // 30 messages, but 3 × 12 + 1 = 37 is her threshold.
        #expect(rule(scorer.score(history), .rate).threshold == 37)
        #expect(rule(scorer.score(history), .rate).score == 0)
        history.busiestPastHour = 2
        #expect(rule(scorer.score(history), .rate).threshold == 20)
        #expect(rule(scorer.score(history), .rate).score == 45)
    }

    @Test func failedLoginsBeforeASuccessFromANewNetwork() {
        var logins = (0..<12).map { AbuseLogin(ip: "10.9.9.\($0)", network: "10.9.9.0/24", success: false, at: Int64($0)) }
        logins.append(AbuseLogin(ip: "10.9.9.99", network: "10.9.9.0/24", success: true, at: 100))
        var history = AbuseHistory(
            accountID: 1, account: "ann@example.org", sends: [], knownLoginNetworks: ["198.51.100.0/24"], logins: logins)
        #expect(rule(scorer.score(history), .failedLogins).value == 12)
        #expect(rule(scorer.score(history), .failedLogins).score == 36)
        // The same failures before a success from her usual network: a forgotten password.
        history.knownLoginNetworks.insert("10.9.9.0/24")
        #expect(rule(scorer.score(history), .failedLogins).value == 0)
        // Failures before a success from the usual network do not count towards a later new one.
        history.logins.append(AbuseLogin(ip: "203.0.113.5", network: "203.0.113.0/24", success: false, at: 200))
        history.logins.append(AbuseLogin(ip: "203.0.113.5", network: "203.0.113.0/24", success: true, at: 201))
        #expect(rule(scorer.score(history), .failedLogins).value == 1)
    }

    @Test func whitelistsRemoveRulesOrNetworks() {
        let bots = (1...6).map { "10.\($0).0.1" }
        let history = AbuseHistory(accountID: 7, account: "Bob@example.org", sends: sends(bots))
        let forAccount = scorer.score(history, ignores: [AbuseIgnore(target: "bob@example.org", rule: .unreadNetwork)])
        #expect(rule(forAccount, .unreadNetwork).ignored && rule(forAccount, .unreadNetwork).score == 0)
        #expect(forAccount.total == 45)
        let all = scorer.score(history, ignores: [AbuseIgnore(target: "bob@example.org", rule: nil)])
        #expect(all.total == 0)
        let network = scorer.score(history, ignores: [AbuseIgnore(target: "10.0.0.0/8", rule: nil)])
        #expect(rule(network, .fanout).value == 0 && network.total == 0)
    }

    @Test func theReportNamesEveryAddressAndTheActions() {
        let history = AbuseHistory(
            accountID: 7, account: "bob@example.org", sends: sends(["10.1.0.1", "10.2.0.1"], each: 2), readIPs: ["10.1.0.1"])
        var score = scorer.score(history)
        score.ips[0].rdns = "bot.example.net"
        let body = AbuseMonitor.reportBody(
            score, ips: score.ips, actions: ["submission refused (550 5.7.1)"], node: "mx2", hostname: "mx2.example.org")
        #expect(body.contains("Account: bob@example.org"))
        #expect(body.contains("bot.example.net"))
        #expect(body.contains("unknown"))
        #expect(body.contains("submission refused (550 5.7.1)"))
        #expect(body.contains("unread_network"))
        let lines = AbuseMonitor.table(score.ips.map { ("bob@example.org", $0) })
        #expect(lines[0].hasPrefix("ACCOUNT"))
        #expect(lines[1].contains("10.1.0.1") && lines[1].hasSuffix("yes"))
        #expect(lines[2].contains("10.2.0.1") && lines[2].hasSuffix("no"))
    }

    @Test func configDefaultsAndValues() {
        let config = parsedConfig(
            configHeader + """

                [abuse]
                enabled = true
                threshold = 80
                window = "30m"
                report_to = "abuse@example.org"
                lock_account = true

                [abuse.fanout]
                weight = 50
                threshold = 3

                [abuse.rate]
                factor = 5
                """, sections: [AbuseSettings.self])
        let abuse = config?.sections[AbuseSettings.self]
        #expect(abuse?.enabled == true)
        #expect(abuse?.threshold == 80)
        #expect(abuse?.window == .minutes(30))
        #expect(abuse?.rule(.fanout) == AbuseRuleSettings(weight: 50, threshold: 3))
        #expect(abuse?.rule(.unreadNetwork) == AbuseRuleSettings(weight: 30, threshold: 2))
        #expect(abuse?.rateFactor == 5)
        #expect(abuse?.lockAccount == true)
        #expect(abuse?.reportRecipient(hostname: "mx1.example.org") == "abuse@example.org")
        #expect(AbuseSettings().reportRecipient(hostname: "mx1.example.org") == "postmaster@mx1.example.org")
    }

    @Test(arguments: [
        ("threshold = 0", 4, "abuse.threshold"), ("window = \"10s\"", 4, "abuse.window"),
        ("evaluate_interval = \"2h\"", 4, "abuse.evaluate_interval"), ("network_prefix_v4 = 33", 4, "abuse.network_prefix_v4"),
        ("report_to = \"nobody\"", 4, "abuse.report_to"), ("colour = 1", 4, "abuse.colour"),
        ("[abuse.fanout]\nweight = -1", 5, "abuse.fanout.weight"),
        ("[abuse.bounces]\nthreshold = 0", 5, "abuse.bounces.threshold"),
        ("[abuse.rate]\nfactor = 5000", 5, "abuse.rate.factor"), ("[abuse.fanout]\nfactor = 2", 5, "abuse.fanout.factor"),
    ])
    func badInputIsAnErrorWithItsLine(_ line: String, _ number: Int, _ key: String) {
        let error = singleError(configHeader + "\n[abuse]\n" + line + "\n", sections: [AbuseSettings.self])
        #expect(error?.line == number)
        #expect(error?.key == key)
    }
}

@Suite struct AbuseDocsTests {
    /// docs/abuse.md's example shows the defaults (with the evaluator switched on and a report address).
    @Test func theDocumentedExampleIsTheDefaults() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/abuse.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "```toml\n")).upperBound
        let end = try #require(text.range(of: "```", range: start..<text.endIndex)).lowerBound
        let config = try #require(parsedConfig(configHeader + "\n" + text[start..<end], sections: [AbuseSettings.self]))
        var abuse = config.sections[AbuseSettings.self]
        #expect(abuse.enabled && abuse.reportTo == "postmaster@mail.example.com")
        (abuse.enabled, abuse.reportTo) = (false, nil)
        #expect(abuse == AbuseSettings())
    }
}
