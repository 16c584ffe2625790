import DNS
import Foundation
import MailAuth
import PostaTestSupport
import Testing

/// The RFC 7208 test suite (openspf.org, release 2014.04, shipped with pyspf), fetched and
/// converted to JSON by `.ci/fetch-spf-suite`; every test of every scenario must pass.
@Suite("RFC 7208 test suite")
struct RFC7208SuiteTests {
    @Test func everyTestPasses() async throws {
        let scenarios = try SPFSuite.load()
        var failures: [String] = []
        var count = 0
        for scenario in scenarios {
            let dns = ZoneDNS(scenario.zone)
            let checker = SPFChecker(dns: dns, configuration: SPFConfiguration(defaultExplanation: "DEFAULT"))
            for test in scenario.tests {
                count += 1
                let ip = try #require(IPAddress(test.host), "\(test.name): bad host \(test.host)")
                let verdict = await checker.checkMailFrom(ip: ip, reversePath: test.mailfrom, helo: test.helo)
                var wrong: [String] = []
                if !test.results.contains(verdict.result.rawValue) {
                    wrong.append("result \(verdict.result), expected \(test.results.joined(separator: " or "))")
                }
                if let explanation = test.explanation, verdict.outcome.explanation != explanation {
                    wrong.append("explanation \(verdict.outcome.explanation.debugDescription), expected \"\(explanation)\"")
                }
                if !wrong.isEmpty {
                    let why = verdict.outcome.problem.map { " (\($0))" } ?? ""
                    failures.append("\(scenario.description) / \(test.name): \(wrong.joined(separator: "; "))\(why)")
                }
            }
        }
        #expect(count > 200, "only \(count) tests in the suite")
        #expect(failures.isEmpty, "\(failures.count) of \(count) failed:\n\(failures.joined(separator: "\n"))")
    }
}
