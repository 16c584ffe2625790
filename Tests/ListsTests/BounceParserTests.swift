import Core
import Foundation
import Lists
import PostaTestSupport
import Testing

@Suite struct BounceParserTests {
    private func parse(_ text: String) -> BounceReport { BounceParser.parse(BounceSamples.crlf(text)) }
    private func keys(_ addresses: [MailAddress]) -> [String] { addresses.map(\.key) }

    @Test func deliveryStatusNotificationSeparatesFailedFromDelayed() {
        let report = parse(BounceSamples.dsn)
        #expect(report.detector == .dsn)
        // RFC 3464 §2.3.1: the Original-Recipient is the address the list sent to.
        #expect(keys(report.permanent) == ["ann@example.com"])
        #expect(keys(report.temporary) == ["bob@example.net"])
        #expect(!report.truncated)
    }

    @Test func deliveryStatusWithoutActionIsJudgedByStatusClass() {
        let text = BounceSamples.dsn.replacingOccurrences(of: "Action: failed\n", with: "")
            .replacingOccurrences(of: "Action: delayed\n", with: "")
        let report = parse(text)
        #expect(keys(report.permanent) == ["ann@example.com"])
        #expect(keys(report.temporary) == ["bob@example.net"])
    }

    @Test func madeUpActionsAreJudgedByStatusOrReplyCode() {
        let text = BounceSamples.dsn.replacingOccurrences(of: "Action: failed", with: "Action: failure")
            .replacingOccurrences(of: "Status: 5.1.1 (mailbox unknown)", with: "Status: 553 Exceeded maximum size")
            .replacingOccurrences(of: "Action: delayed", with: "Action: error")
        let report = parse(text)
        #expect(keys(report.permanent) == ["ann@example.com"])
        #expect(keys(report.temporary) == ["bob@example.net"])
    }

    @Test func aSuccessNotificationReportsNothing() {
        // RFC 3464 §2.3.3 `delivered`: the DSN decides, its text ("delivery to the following…") is not read.
        let text = BounceSamples.dsn.replacingOccurrences(of: "Action: failed", with: "Action: delivered")
            .replacingOccurrences(of: "Action: delayed", with: "Action: relayed")
            .replacingOccurrences(
                of: "Your message could not be delivered to some recipients:",
                with: "Delivery to the following recipients succeeded:")
        let report = parse(text)
        #expect(report.isEmpty)
        #expect(report.detector == nil)
    }

    @Test func deliveryStatusThatIsBase64EncodedIsRead() {
        let fields =
            "Reporting-MTA: dns; mx.example.net\r\n\r\n"
            + "Final-Recipient: rfc822; zed@example.com\r\nAction: failed\r\nStatus: 5.0.0\r\n"
        let message = """
            From: MAILER-DAEMON@mx.example.net
            Content-Type: multipart/report; report-type=delivery-status; boundary=x

            --x
            Content-Type: message/delivery-status
            Content-Transfer-Encoding: base64

            \(Data(fields.utf8).base64EncodedString())
            --x--

            """
        #expect(keys(parse(message).permanent) == ["zed@example.com"])
    }

    @Test(arguments: [
        (BounceSamples.qmail, BounceDetector.qmail, ["hans@example.de", "grete@example.de"]),
        (BounceSamples.postfix, .postfix, ["dana@example.ie"]),
        (BounceSamples.exim, .exim, ["jan@example.nl"]),
        (BounceSamples.sendmail, .sendmail, ["kim@example.com", "lee@example.com"]),
        (BounceSamples.exchange, .exchange, ["pat@corp.example.com"]),
        (BounceSamples.yahoo, .yahoo, ["sam@example.es", "tom@example.co.uk"]),
        (BounceSamples.aol, .aol, ["user123@aol.com"]),
        (BounceSamples.lotus, .lotus, ["jo@notes.example.com"]),
        (BounceSamples.simple, .simpleMatch, ["luca@example.it"]),
    ])
    func textFormatsNamePermanentFailures(sample: String, detector: BounceDetector, expected: [String]) {
        let report = parse(sample)
        #expect(report.detector == detector)
        #expect(keys(report.permanent) == expected)
        #expect(report.temporary.isEmpty)
    }

    @Test(arguments: [
        (BounceSamples.eximWarning, BounceDetector.exim, "piet@example.nl"),
        (BounceSamples.sendmailWarning, .sendmail, "max@example.org.za"),
    ])
    func warningsAreTemporary(sample: String, detector: BounceDetector, expected: String) {
        let report = parse(sample)
        #expect(report.detector == detector)
        #expect(report.permanent.isEmpty)
        #expect(keys(report.temporary) == [expected])
    }

    @Test func ordinaryMailIsNoBounce() {
        let report = parse(BounceSamples.notABounce)
        #expect(report.isEmpty)
        #expect(report.detector == nil)
    }

    @Test func bareLineEndsAndAnMboxSeparatorAreAccepted() {
        let report = BounceParser.parse(Array(("From MAILER-DAEMON Thu Mar  6 10:00:00 2025\n" + BounceSamples.qmail).utf8))
        #expect(report.detector == .qmail)
        #expect(keys(report.permanent) == ["hans@example.de", "grete@example.de"])
    }

    @Test func addressesInTheReturnedMessageAreNotFailures() {
        // The qmail and DSN samples name other@/eve@example.org in the copy of the original message.
        for sample in [BounceSamples.qmail, BounceSamples.dsn] {
            let report = parse(sample)
            #expect(!(report.permanent + report.temporary).contains { $0.domain == "example.org" })
        }
    }

    // MARK: hostile input

    @Test(arguments: ["", "\r\n\r\n", "garbage", ":::@@@<<>>", "From: a@b\r\n", "Content-Type: multipart/report\r\n\r\n--"])
    func garbageGivesAnEmptyReport(input: String) {
        #expect(BounceParser.parse(Array(input.utf8)).isEmpty)
    }

    @Test func truncatedMessagesNeverCrash() {
        for sample in [BounceSamples.dsn, BounceSamples.qmail, BounceSamples.exchange] {
            let bytes = BounceSamples.crlf(sample)
            for end in stride(from: 0, through: bytes.count, by: 7) {
                _ = BounceParser.parse(Array(bytes[..<end]))
            }
        }
    }

    @Test func tenMegabytesAreReadOnlyUpToTheLimit() {
        var bytes = BounceSamples.crlf(BounceSamples.qmail)
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        let report = BounceParser.parse(bytes)
        #expect(report.truncated)
        #expect(keys(report.permanent) == ["hans@example.de", "grete@example.de"])
    }

    @Test func aLineOfTenMegabytesOfAddressesIsBounded() {
        let line = String(repeating: "x@example.com a@b.example ", count: 400_000)
        let report = parse("Subject: x\n\nThe following addresses had permanent fatal errors:\n" + line + "\n")
        #expect(report.permanent.count + report.temporary.count <= BounceParser.Limits.default.maxAddresses)
    }

    @Test func manyRecipientsAreCappedAndSaySo() {
        var groups = ""
        for n in 0..<500 { groups += "Final-Recipient: rfc822; user\(n)@example.com\nAction: failed\nStatus: 5.1.1\n\n" }
        let message = """
            Content-Type: multipart/report; report-type=delivery-status; boundary=x

            --x
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.com

            \(groups)--x--

            """
        let report = parse(message)
        #expect(report.permanent.count == BounceParser.Limits.default.maxAddresses)
        #expect(report.truncated)
    }

    @Test func multipartsNestedAThousandDeepAreCut() {
        var message = "Content-Type: multipart/report; report-type=delivery-status; boundary=b0\r\n\r\n"
        for depth in 0..<1000 { message += "--b\(depth)\r\nContent-Type: multipart/mixed; boundary=b\(depth + 1)\r\n\r\n" }
        message += "--b1000\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; deep@example.com\r\n"
        message += "Action: failed\r\n"
        let report = BounceParser.parse(Array(message.utf8))
        #expect(report.isEmpty)
        #expect(report.truncated)
    }

    @Test func binaryInputGivesNothing() {
        var generator = SeededGenerator(seed: 7)
        let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(BounceParser.parse(bytes).isEmpty)
    }

    /// Seeded mutations of every sample (bytes flipped, cut, spliced, repeated): the parser always returns.
    @Test func fuzzedSamplesNeverCrash() {
        var generator = SeededGenerator(seed: 18)
        let samples = [
            BounceSamples.dsn, BounceSamples.qmail, BounceSamples.postfix, BounceSamples.exim, BounceSamples.sendmail,
            BounceSamples.exchange, BounceSamples.yahoo, BounceSamples.aol, BounceSamples.lotus, BounceSamples.simple,
        ].map(BounceSamples.crlf)
        let interesting = Array("\r\n:;<>@-=\"\\ \t".utf8) + [0x00, 0x80, 0xFF]
        for _ in 0..<400 {
            var bytes = samples.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...12, using: &generator) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = interesting.randomElement(using: &generator)!
                case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &generator)))
                case 2: bytes.insert(contentsOf: samples.randomElement(using: &generator)!.prefix(200), at: at)
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 30)], at: at)
                }
            }
            let report = BounceParser.parse(bytes)
            #expect(report.permanent.count + report.temporary.count <= BounceParser.Limits.default.maxAddresses)
        }
    }
}

/// docs/lists.md "Bounce parsing" names every detector a report can carry; it cannot drift from them.
@Suite struct BounceDocsTests {
    @Test func everyDetectorIsDocumented() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/lists.md")
        let page = try String(contentsOf: docs, encoding: .utf8)
        for detector in BounceDetector.allCases {
            #expect(page.contains("| `\(detector.rawValue)` |"), "\(detector.rawValue) missing from docs/lists.md")
        }
    }
}
