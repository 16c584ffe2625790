import Core
import Foundation
import Logging
import MIME
import Testing

@testable import Filter

/// A scanner with a fixed answer (or failure, or delay).
struct FixedScanner: ContentScanner {
    var name = "fixed"
    var timeout: Duration = .seconds(5)
    var onFailure: FilterSettings.FailurePolicy = .tempfail
    var answer: Result<FilterVerdict, ScannerError>
    var delay: Duration = .zero

    func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict {
        if delay > timeout {
            try await Task.sleep(for: timeout)
            throw ScannerError.timedOut
        }
        return try answer.get()
    }
}

@Suite struct FilterChainTests {
    let message = FilterMessage(path: "/nonexistent", size: 1, clientIP: "192.0.2.10")
    let logger = Logger(label: "test")

    func chain(_ steps: [any ContentScanner], budget: Duration = .seconds(10)) -> FilterChain {
        FilterChain(steps: steps, budget: budget, trustedNetworks: [NetworkPrefix(parsing: "10.0.0.0/8")!], logger: logger)
    }

    @Test func headersAddUpAndJunkSticks() async {
        let verdict = await chain([
            FixedScanner(answer: .success(.accept(headers: ["A: 1"]))),
            FixedScanner(answer: .success(.junk(headers: ["B: 2"]))),
            FixedScanner(answer: .success(.accept(headers: ["C: 3"]))),
        ]).run(message)
        #expect(verdict == .junk(headers: ["A: 1", "B: 2", "C: 3"]))
    }

    @Test func rejectAndQuarantineEndTheChain() async {
        let reject = DeliveryReply(554, .init(5, 7, 1), "virus")
        let boom = FixedScanner(answer: .failure(.unreachable("must not run")))
        #expect(await chain([FixedScanner(answer: .success(.reject(reject))), boom]).run(message) == .reject(reject))
        let held = await chain([
            FixedScanner(answer: .success(.accept(headers: ["A: 1"]))),
            FixedScanner(answer: .success(.quarantine(reason: "r", headers: ["B: 2"]))), boom,
        ]).run(message)
        #expect(held == .quarantine(reason: "r", headers: ["A: 1", "B: 2"]))
    }

    @Test func failurePolicyTempfailsOrSkips() async {
        let down = FixedScanner(name: "clamav", answer: .failure(.unreachable("refused")))
        #expect(await chain([down]).run(message) == .tempfail(.scannerUnavailable("clamav")))
        var open = down
        open.onFailure = .accept
        let verdict = await chain([open, FixedScanner(answer: .success(.accept(headers: ["A: 1"])))]).run(message)
        #expect(verdict == .accept(headers: ["A: 1"]))
    }

    @Test func aSlowScannerRunsOutOfTheBudget() async {
        let slow = FixedScanner(name: "spamassassin", answer: .success(.accept(headers: [])), delay: .seconds(120))
        let started = ContinuousClock.now
        #expect(await chain([slow], budget: .milliseconds(200)).run(message) == .tempfail(.scannerUnavailable("spamassassin")))
        #expect(ContinuousClock.now - started < .seconds(60))  // far below the scanner's 120 s, even on a loaded machine
    }

    @Test func trustedNetworksAndAuthenticatedSendersSkip() async {
        let down = FixedScanner(answer: .failure(.unreachable("refused")))
        var trusted = message
        trusted.clientIP = "10.1.2.3"
        #expect(await chain([down]).run(trusted) == .accept(headers: []))
        var authenticated = message
        authenticated.authenticatedUser = "alice@example.org"
        #expect(await chain([down]).run(authenticated) == .tempfail(.scannerUnavailable("fixed")))
        let skipping = FilterChain(steps: [down], budget: .seconds(1), skipAuthenticated: true, logger: logger)
        #expect(await skipping.run(authenticated) == .accept(headers: []))
    }

    @Test func anUnreachableDaemonTempfails() async throws {
        // A port nothing listens on: connection refused at once.
        var settings = FilterSettings()
        settings.clamAV = .init(endpoint: .tcp(host: "127.0.0.1", port: 9))
        settings.spamAssassin = .init(endpoint: .unix(path: "/nonexistent/spamd.sock"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("filter-\(UUID()).eml")
        try Data("Subject: x\r\n\r\nhi\r\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let input = FilterMessage(path: file.path, size: 18, clientIP: "192.0.2.1")
        let chain = try #require(FilterChain(settings: settings, maxMessageSize: 1 << 20, logger: logger))
        #expect(await chain.run(input) == .tempfail(.scannerUnavailable("clamav")))
        settings.clamAV?.onFailure = .accept
        let next = try #require(FilterChain(settings: settings, maxMessageSize: 1 << 20, logger: logger))
        #expect(await next.run(input) == .tempfail(.scannerUnavailable("spamassassin")))
        settings.spamAssassin?.onFailure = .accept
        let open = try #require(FilterChain(settings: settings, maxMessageSize: 1 << 20, logger: logger))
        #expect(await open.run(input) == .accept(headers: []))
    }
}

@Suite struct SpamVerdictTests {
    @Test func thresholdsChooseTheAction() {
        var thresholds = FilterSettings.SpamThresholds()
        thresholds.quarantine = 10
        thresholds.reject = 20
        let policy = SpamVerdict(thresholds: thresholds, scanner: "spamassassin")
        guard case .accept(let ham) = policy.verdict(score: 1.04, required: 5, symbols: ["A"]) else {
            Issue.record("ham not accepted")
            return
        }
        #expect(ham[0] == "X-Spam-Flag: NO" && ham[1] == "X-Spam-Score: 1.0")
        #expect(ham[2] == "X-Spam-Status: No, score=1.0 required=5.0 scanner=spamassassin tests=A")
        guard case .junk(let spam) = policy.verdict(score: 6.25, required: 5, symbols: []) else {
            Issue.record("spam not to Junk")
            return
        }
        #expect(spam[0] == "X-Spam-Flag: YES" && spam[2].hasSuffix("tests=none"))
        guard case .quarantine = policy.verdict(score: 12, required: 5, symbols: []) else {
            Issue.record("not quarantined")
            return
        }
        #expect(
            policy.verdict(score: 1000, required: 5, symbols: [])
                == .reject(DeliveryReply(554, .init(5, 7, 1), "Message rejected as spam (score 1000.0)")))
        thresholds.junkFolder = false
        guard
            case .accept(let flagged) = SpamVerdict(thresholds: thresholds, scanner: "x").verdict(
                score: 6, required: 5, symbols: [])
        else {
            Issue.record("junk = false still moves")
            return
        }
        #expect(flagged[0] == "X-Spam-Flag: YES")
        #expect(SpamVerdict.format(-0.05) == "-0.1" || SpamVerdict.format(-0.05) == "-0.0")
    }

    @Test func longSymbolListsAreFolded() {
        let symbols = (0..<30).map { "RULE_NUMBER_\($0)" }
        let header = SpamVerdict.fold("X-Spam-Status: Yes, tests=", symbols)
        let lines = header.components(separatedBy: "\r\n")
        #expect(lines.count > 1 && lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("\t") })
        #expect(header.replacingOccurrences(of: "\r\n\t", with: "").hasSuffix("RULE_NUMBER_28,RULE_NUMBER_29"))
    }
}

@Suite struct ContentRulesTests {
    let rules = ContentRules(headerChecks: true, blockedExtensions: ["exe", "js"], blockedTypes: ["application/x-msdownload"])
    let header = "From: a@b.example\r\nDate: Mon, 02 Feb 2026 10:00:00 +0000\r\nMessage-ID: <1@b.example>\r\n"

    func mime(_ parts: String, terminated: Bool = true) -> MIMEMessage {
        MIMEMessage(
            Array(
                (header + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" + parts
                    + (terminated ? "--XX--\r\n" : "")).utf8))
    }

    @Test func requiredHeaderFields() {
        #expect(rules.check(MIMEMessage(Array((header + "\r\nhi\r\n").utf8))) == nil)
        let noDate = MIMEMessage(Array("From: a@b.example\r\nMessage-ID: <1@b>\r\n\r\nhi\r\n".utf8))
        #expect(rules.check(noDate) == DeliveryReply(550, .init(5, 6, 0), "Message refused: missing Date header field"))
        let lenient = ContentRules(headerChecks: false, blockedExtensions: [], blockedTypes: [])
        #expect(lenient.check(noDate) == nil)
    }

    @Test func malformedMultipart() {
        let part = "--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        #expect(rules.check(mime(part)) == nil)
        #expect(rules.check(mime(part, terminated: false))?.text.contains("malformed MIME") == true)
    }

    @Test func blockedAttachments() {
        let exe =
            "--XX\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Disposition: attachment; filename=\"Invoice.PDF.EXE\"\r\n\r\nMZ\r\n"
        #expect(
            rules.check(mime(exe))
                == DeliveryReply(554, .init(5, 7, 1), "Message refused: attachment \"Invoice.PDF.EXE\" not accepted here"))
        let typed = "--XX\r\nContent-Type: application/x-msdownload; name=\"a.bin\"\r\n\r\nMZ\r\n"
        #expect(rules.check(mime(typed))?.text.contains("(application/x-msdownload)") == true)
        let nested =
            "--XX\r\nContent-Type: message/rfc822\r\n\r\n" + header
            + "Content-Type: application/javascript; name=\"x.js\"\r\n\r\nalert(1)\r\n"
        #expect(rules.check(mime(nested))?.text.contains("x.js") == true)
        let fine = "--XX\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n\r\n%PDF\r\n"
        #expect(rules.check(mime(fine)) == nil)
    }
}
