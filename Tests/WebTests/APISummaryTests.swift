import Admin
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Monitor
import Testing

@testable import Web

/// `GET /summary`, `POST /summary/send` and `GET /abuse/report`: the JSON of the CLI's
/// `--json`, the same permissions as the console, 409 for a summary sent before.
@Suite struct APISummaryTests {
    /// A bearer token of `login`.
    static func token(_ console: AdminConsole, _ login: String) async throws -> String {
        try await console.addToken(as: APIFixture.cli, admin: login, name: "tests").token
    }

    /// `value` as the CLI prints it (`Output.json`), parsed back.
    static func cliJSON(_ value: some Encodable) throws -> NSDictionary? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try JSONSerialization.jsonObject(with: encoder.encode(value)) as? NSDictionary
    }

    @Test func summaryIsTheCLIJSONAndSendsOnce() async throws {
        try await SummaryFixture.with { console, mailing, client in
            try await SummaryFixture.seed(console)
            let boss = try await Self.token(console, "boss")
            let rollup = try #require(console.rollup)
            rollup.add(4, to: .submitted, key: "alice@example.org")
            rollup.add(1, to: .received, key: "mx")
            let today = UnixTime.dayStart(of: UnixTime.now())
            let shown = try await client.api(.get, "/summary?day=\(DailySummaryMail.dayText(today))", token: boss)
            #expect(shown.status == .ok)
            let expected = try await DailySummary.gather(day: today, top: 10, database: console.database)
            #expect(expected.submitted == 4)
            let body = try JSONSerialization.jsonObject(with: shown.body) as? NSDictionary
            #expect(body == (try Self.cliJSON(expected)))
            #expect(try await client.api(.get, "/summary", token: boss).json["submitted"] as? Int == 4)

            let invalid = try await client.api(.get, "/summary?day=2026-13-01", token: boss)
            #expect(invalid.status == .unprocessableContent && invalid.isProblem)
            let future = try await client.api(.get, "/summary?day=\(DailySummaryMail.dayText(today + 2 * 86_400))", token: boss)
            #expect(future.status == .unprocessableContent && future.isProblem)
            for login in ["dora", "desk"] {
                let refused = try await client.api(.get, "/summary", token: try await Self.token(console, login))
                #expect(refused.status == .forbidden && refused.isProblem, "\(login)")
                let send = try await client.api(.post, "/summary/send", token: try await Self.token(console, login), json: [:])
                #expect(send.status == .forbidden && send.isProblem, "\(login)")
            }
            #expect(mailing.calls.isEmpty)

            // No day: yesterday.
            let yesterday = DailySummaryMail.dayText(today - 86_400)
            let sent = try await client.api(.post, "/summary/send", token: boss, json: [:])
            #expect(sent.status == .ok && sent.json["day"] as? String == yesterday && sent.json["queued"] as? Bool == true)
            let twice = try await client.api(.post, "/summary/send", token: boss, json: ["day": yesterday])
            #expect(twice.status == .conflict && twice.isProblem)
            #expect((twice.json["detail"] as? String)?.contains("sent before") == true)
            let again = try await client.api(.post, "/summary/send", token: boss, json: ["day": yesterday, "again": true])
            #expect(again.status == .ok && again.json["again"] as? Bool == true)
            #expect(mailing.calls.map(\.day) == Array(repeating: today - 86_400, count: 3))
            let audit = try await console.auditLog(as: APIFixture.cli, AuditFilter(action: "summary.send")).items
            #expect(audit.count == 2 && audit.allSatisfy { $0.channel == .api && $0.target == yesterday })
        }
    }

    @Test func abuseReportIsTheCLIJSONScopedByDomain() async throws {
        try await SummaryFixture.with { console, _, client in
            try await SummaryFixture.seed(console)
            try await SummaryFixture.recordSends(console)
            let boss = try await Self.token(console, "boss")
            let report = try await client.api(.get, "/abuse/report?since=1h", token: boss)
            #expect(report.status == .ok)
            let accounts = report.json["accounts"] as? [[String: Any]] ?? []
            #expect(accounts.map { $0["account"] as? String } == ["alice@example.org", "carol@other.org"])
            let alice = accounts.first?["ips"] as? [[String: Any]] ?? []
            #expect(
                alice.count == 2 && alice.allSatisfy { $0["read_mail"] as? Bool == false && $0["rdns"] as? String == "unknown" })
            // The same as `posta abuse report --json` over the same rows (but for `since`, taken a
            // moment later: seconds on a loaded machine).
            let cli = try #require(
                try Self.cliJSON(try await console.abuseReport(as: APIFixture.cli, within: .hours(1)))?.mutableCopy()
                    as? NSMutableDictionary)
            let served = try #require(
                (try JSONSerialization.jsonObject(with: report.body) as? NSDictionary)?.mutableCopy() as? NSMutableDictionary)
            #expect(abs((cli["since"] as? Int ?? 0) - (served["since"] as? Int ?? 0)) <= 60)
            cli["since"] = nil
            served["since"] = nil
            #expect(cli == served)

            let dora = try await client.api(.get, "/abuse/report", token: try await Self.token(console, "dora"))
            #expect((dora.json["accounts"] as? [[String: Any]])?.map { $0["account"] as? String } == ["alice@example.org"])
            let desk = try await client.api(.get, "/abuse/report", token: try await Self.token(console, "desk"))
            #expect(desk.status == .forbidden && desk.isProblem)
            let bad = try await client.api(.get, "/abuse/report?since=soon", token: boss)
            #expect(bad.status == .unprocessableContent && bad.isProblem)
            let long = try await client.api(.get, "/abuse/report?since=400d", token: boss)
            #expect(long.status == .unprocessableContent && long.isProblem)
        }
    }
}
