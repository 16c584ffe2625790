import DNS
import Foundation
import Testing
import ZIPFoundation

@testable import MailAuth

/// RFC 9990: the aggregate report document, its reading from mail payloads, the builder, file
/// names and external destination verification.
@Suite("DMARC aggregate reports")
struct DMARCReportTests {
    static let metadata = DMARCReportMetadata(
        orgName: "mx.example.org", email: "postmaster@mx.example.org",
        extraContactInfo: DMARCReportText("https://example.org/dmarc"),
        reportID: "1700006400.example.com@mx.example.org", dateRange: DMARCDateRange(begin: 1_700_006_400, end: 1_700_092_799),
        errors: ["rua: 'x' is not a valid URI"], generator: "Posta test")

    static let policy = DMARCPolicyPublished(
        domain: "example.com", p: .reject, sp: .quarantine, np: .reject, fo: "0", adkim: .relaxed, aspf: .strict, testing: false)

    static var sample: DMARCFeedback {
        DMARCFeedback(
            metadata: metadata, policyPublished: policy,
            records: [
                DMARCReportRecord(
                    row: DMARCReportRow(
                        sourceIP: "192.0.2.10", count: 42,
                        policyEvaluated: DMARCPolicyEvaluated(disposition: .pass, dkim: .pass, spf: .fail)),
                    identifiers: DMARCReportIdentifiers(headerFrom: "example.com", envelopeFrom: "bounce.example.com"),
                    authResults: DMARCReportAuthResults(
                        dkim: [
                            DMARCReportDKIMResult(domain: "example.com", selector: "s1", result: .pass),
                            DMARCReportDKIMResult(
                                domain: "esp.example", selector: "k2", result: .fail, humanResult: "body hash mismatch"),
                        ],
                        spf: DMARCReportSPFResult(domain: "bounce.example.com", result: .softfail))),
                DMARCReportRecord(
                    row: DMARCReportRow(
                        sourceIP: "2001:db8::25", count: 3,
                        policyEvaluated: DMARCPolicyEvaluated(
                            disposition: .none, dkim: .fail, spf: .fail,
                            reasons: [DMARCOverrideReason(.mailingList, comment: "lists.example.org")])),
                    identifiers: DMARCReportIdentifiers(
                        headerFrom: "news.example.com", envelopeFrom: "", envelopeTo: "example.org"),
                    authResults: DMARCReportAuthResults(spf: DMARCReportSPFResult(domain: "mx.lists.example.org", result: .pass))),
            ])
    }

    @Test func xmlRoundTrip() throws {
        let xml = try Self.sample.xml()
        let text = String(decoding: xml, as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(text.contains("<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"))
        // Schema sequences: version first; disposition, dkim, spf, reason; auth_results' dkim before spf.
        let order = ["<version>", "<report_metadata>", "<policy_published>", "<record>"].map { text.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        let second = text[text.range(of: "<source_ip>2001:db8::25")!.lowerBound...]
        let evaluated = ["<disposition>none", "<dkim>fail", "<spf>fail", "<reason>"].map { second.range(of: $0)!.lowerBound }
        #expect(evaluated == evaluated.sorted())
        #expect(text.range(of: "<selector>k2</selector>")!.lowerBound < text.range(of: "<spf>\n")!.lowerBound)
        #expect(!text.contains("<human_result></human_result>"))
        let decoded = try DMARCFeedback.decode(xml: xml)
        #expect(decoded == Self.sample)
        #expect(try DMARCReportPayload.reports(in: try Self.sample.gzippedXML()) == [Self.sample])
    }

    @Test func textIsMadeSafeForXML() throws {
        var feedback = Self.sample
        feedback.metadata.orgName = "a<b>&\"c\u{0}\u{1B}d"
        let decoded = try DMARCFeedback.decode(xml: try feedback.xml())
        #expect(decoded.metadata.orgName == "a<b>&\"cd")
    }

    /// An RFC 7489 report: no namespace, pct, several SPF results, a DKIM result without selector,
    /// empty human_result, reason types of RFC 7489, values in odd case and with white space.
    @Test func readsRFC7489Reports() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8" ?>
            <feedback>
              <report_metadata>
                <org_name>receiver.example</org_name>
                <email>noreply@receiver.example</email>
                <extra_contact_info lang="de">https://receiver.example/hilfe</extra_contact_info>
                <report_id>9391651994964116463</report_id>
                <date_range><begin>1335571200</begin><end>1335657599</end></date_range>
              </report_metadata>
              <policy_published>
                <domain>sender.example</domain><adkim>r</adkim><aspf>r</aspf><p>none</p><sp>none</sp><pct>100</pct>
              </policy_published>
              <record>
                <row>
                  <source_ip>198.51.100.7</source_ip><count>2</count>
                  <policy_evaluated>
                    <disposition> None </disposition><dkim>fail</dkim><spf>PASS</spf>
                    <reason><type>forwarded</type><comment></comment></reason>
                  </policy_evaluated>
                </row>
                <identifiers><header_from>sender.example</header_from></identifiers>
                <auth_results>
                  <dkim><domain>sender.example</domain><result>fail</result><human_result></human_result></dkim>
                  <spf><domain>helo.sender.example</domain><scope>helo</scope><result>pass</result></spf>
                  <spf><domain>sender.example</domain><scope>mfrom</scope><result>hardfail</result></spf>
                </auth_results>
              </record>
            </feedback>
            """
        let report = try DMARCFeedback.decode(xml: Array(xml.utf8))
        #expect(report.version == nil)
        #expect(report.metadata.extraContactInfo == DMARCReportText("https://receiver.example/hilfe", lang: "de"))
        #expect(report.policyPublished.p == DMARCPolicy.none)
        let record = try #require(report.records.first)
        #expect(record.row.policyEvaluated.disposition == DMARCReportDisposition.none)
        #expect(record.row.policyEvaluated.spf == .pass)
        #expect(record.row.policyEvaluated.reasons.map(\.type) == [.forwarded])
        #expect(record.authResults.dkim.first?.selector == nil)
        #expect(record.authResults.spf == DMARCReportSPFResult(domain: "sender.example", scope: "mfrom", result: .fail))
    }

    @Test func namespacePrefixesAndExtensionsAreIgnored() throws {
        let xml = """
            <d:feedback xmlns:d="urn:ietf:params:xml:ns:dmarc-2.0" xmlns:ext="https://ext.example/ns">
              <d:version>1.0</d:version>
              <d:report_metadata><d:org_name>r.example</d:org_name><d:email>a@r.example</d:email>
                <d:report_id>x1</d:report_id><d:date_range><d:begin>1</d:begin><d:end>2</d:end></d:date_range></d:report_metadata>
              <d:policy_published><d:domain>example.com</d:domain><d:p>quarantine</d:p><d:discovery_method>treewalk</d:discovery_method>
                <d:testing>y</d:testing></d:policy_published>
              <d:extension><ext:arc-override>never</ext:arc-override></d:extension>
              <d:record>
                <d:row><d:source_ip>192.0.2.1</d:source_ip><d:count>7</d:count>
                  <d:policy_evaluated><d:disposition>quarantine</d:disposition><d:dkim>fail</d:dkim><d:spf>fail</d:spf></d:policy_evaluated></d:row>
                <d:identifiers><d:header_from>example.com</d:header_from></d:identifiers>
                <d:auth_results/>
                <ext:arc-results><ext:chain>none</ext:chain></ext:arc-results>
              </d:record>
            </d:feedback>
            """
        let report = try DMARCFeedback.decode(xml: Array(xml.utf8))
        #expect(report.policyPublished.discoveryMethod == .treewalk)
        #expect(report.policyPublished.testing == true)
        #expect(report.records.map(\.row.count) == [7])
        #expect(report.records.first?.authResults == DMARCReportAuthResults())
    }

    @Test func notAReport() {
        #expect(throws: DMARCReportError.self) { try DMARCFeedback.decode(xml: Array("<html><body/></html>".utf8)) }
        #expect(throws: DMARCReportError.self) {
            try DMARCFeedback.decode(xml: Array("<feedback><report_metadata/></feedback>".utf8))
        }
        #expect(throws: DMARCReportError.self) { try DMARCReportPayload.reports(in: Array("hello".utf8)) }
        #expect(throws: DMARCReportError.self) { try DMARCReportPayload.reports(in: [0x1F, 0x8B, 0x08, 0x00, 0x01]) }
        #expect(throws: DMARCReportError.self) { try DMARCReportPayload.reports(in: Array("PK\u{03}\u{04}broken".utf8)) }
    }

    @Test func zipArchives() throws {
        let archive = try Archive(accessMode: .create)
        let xml = Data(try Self.sample.xml())
        try archive.addEntry(with: "report.xml", type: .file, uncompressedSize: Int64(xml.count), compressionMethod: .deflate) {
            position, size in xml.subdata(in: Int(position)..<Int(position) + size)
        }
        let bytes = Array(try #require(archive.data))
        #expect(DMARCReportPayload.kind(of: bytes) == .zip)
        #expect(try DMARCReportPayload.reports(in: bytes) == [Self.sample])
    }

    /// RFC 9990 §3.5.2: a report mail with a gzip attachment in base64.
    @Test func reportMessages() throws {
        let gz = try Self.sample.gzippedXML()
        let base64 = Data(gz).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let message = """
            From: noreply-dmarc@receiver.example\r
            To: dmarc@example.com\r
            Subject: Report Domain: example.com Submitter: receiver.example Report-ID: <x1>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            This is an aggregate report.\r
            --b1\r
            Content-Type: application/gzip\r
            Content-Disposition: attachment; filename="receiver.example!example.com!1700006400!1700092799.xml.gz"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64)\r
            --b1--\r

            """
        #expect(DMARCReportPayload.kind(of: Array(message.utf8)) == .message)
        #expect(try DMARCReportPayload.reports(in: Array(message.utf8)) == [Self.sample])
        let noAttachment = "From: a@example.com\r\nSubject: hi\r\n\r\nno report here\r\n"
        #expect(throws: DMARCReportError.self) { try DMARCReportPayload.reports(in: Array(noAttachment.utf8)) }
    }

    @Test func builderCountsEqualRecordsTogether() throws {
        var builder = DMARCAggregateBuilder(policyPublished: Self.policy)
        #expect(builder.build(metadata: Self.metadata) == nil)
        let passing = DMARCEvaluationRecord(
            sourceIP: "192.0.2.10", headerFrom: "example.com", envelopeFrom: "example.com", disposition: .pass, dkimAligned: true,
            spfAligned: true, dkim: [DMARCReportDKIMResult(domain: "example.com", selector: "s1", result: .pass)],
            spf: DMARCReportSPFResult(domain: "example.com", result: .pass))
        var forged = passing
        forged.sourceIP = "203.0.113.66"
        forged.disposition = .reject
        forged.dkimAligned = false
        forged.spfAligned = false
        forged.dkim = []
        forged.spf = DMARCReportSPFResult(domain: "example.com", result: .fail)
        for _ in 0..<5 { builder.add(passing) }
        builder.add(forged, count: 2)
        builder.add(passing, count: 10)
        #expect(builder.rowCount == 2)
        #expect(builder.messageCount == 17)
        let report = try #require(builder.build(metadata: Self.metadata))
        #expect(report.records.map(\.row.count) == [15, 2])
        #expect(report.records[1].row.policyEvaluated == DMARCPolicyEvaluated(disposition: .reject, dkim: .fail, spf: .fail))
        #expect(try DMARCFeedback.decode(xml: try report.xml()) == report)
    }

    @Test func evaluationRecordsListAlignedSignaturesFirst() async throws {
        let zone: [String: [ZoneDNS.Entry]] = ["_dmarc.example.com": [.txt("v=DMARC1; p=reject")]]
        let message = DMARCMessage(
            fromDomains: ["example.com"], spf: DMARCSPFInput(domain: "Bounce.Example.com", result: .pass),
            dkim: [
                DMARCDKIMInput(domain: "broken.example", selector: "a", result: .fail),
                DMARCDKIMInput(domain: "esp.example", selector: "b", result: .pass),
                DMARCDKIMInput(domain: "example.com", selector: "c", result: .pass),
            ])
        let evaluation = await DMARCChecker(dns: ZoneDNS(zone)).evaluate(message)
        let record = try #require(
            DMARCEvaluationRecord(
                evaluation: evaluation, message: message, sourceIP: "192.0.2.1", envelopeFrom: "Bounce.Example.com",
                envelopeTo: "example.org"))
        #expect(record.dkim.map(\.selector) == ["c", "b", "a"])
        #expect(record.disposition == .pass && record.dkimAligned && record.spfAligned)
        #expect(record.spf == DMARCReportSPFResult(domain: "bounce.example.com", result: .pass))
        #expect(record.envelopeFrom == "bounce.example.com")
        let none = await DMARCChecker(dns: ZoneDNS([:])).evaluate(message)
        #expect(DMARCEvaluationRecord(evaluation: none, message: message, sourceIP: "192.0.2.1", envelopeFrom: nil) == nil)
    }

    @Test func filenames() throws {
        let name = DMARCReportFilename(
            receiver: "mail.receiver.example", policyDomain: "example.com", begin: 1_013_662_812, end: 1_013_749_130)
        #expect(name.description == "mail.receiver.example!example.com!1013662812!1013749130.xml.gz")
        let unique = DMARCReportFilename(
            receiver: "mx.example.org", policyDomain: "example.com", begin: 1, end: 2, uniqueID: "a-b_c9", gzip: false)
        #expect(unique.description == "mx.example.org!example.com!1!2!abc9.xml")
        #expect(DMARCReportFilename(parsing: name.description) == name)
        #expect(DMARCReportFilename(parsing: unique.description) == unique)
        #expect(DMARCReportFilename(parsing: "report.xml") == nil)
        #expect(DMARCReportFilename(parsing: "a.example!b.example!x!2.xml") == nil)
    }

    /// RFC 9990 §4.
    @Test func externalDestinations() async {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.example.com": [.txt("v=DMARC1; p=reject")],
            "example.com._report._dmarc.reports.example.net": [.txt("v=DMARC1")],
            "example.com._report._dmarc.override.example.net": [.txt("v=DMARC1; rua=mailto:other@override.example.net")],
            "example.com._report._dmarc.loop.example.net": [.txt("v=DMARC1; rua=mailto:x@elsewhere.example")],
            "example.com._report._dmarc.slow.example.net": [.timeout],
            "example.com._report._dmarc.any.example": [.txt("v=DMARC1")],
        ]
        let uris = [
            "mailto:dmarc@example.com", "mailto:dmarc@sub.example.com", "mailto:a@reports.example.net",
            "mailto:b@override.example.net", "mailto:c@loop.example.net", "mailto:d@unknown.example", "mailto:e@slow.example.net",
            "https://reports.example.net/dmarc", "mailto:f@any.example",
        ].compactMap(DMARCReportURI.init)
        let checks = await DMARCReportDestinations.verify(
            uris, policyDomain: "example.com", dns: ZoneDNS(zone), limits: DMARCLimits(reportURIs: 20))
        func uri(_ text: String) -> DMARCReportURI { DMARCReportURI(text)! }
        #expect(checks.count == 9)
        #expect(checks[0] == .accepted(uri("mailto:dmarc@example.com")))
        #expect(checks[1] == .accepted(uri("mailto:dmarc@sub.example.com")))
        #expect(checks[2] == .accepted(uri("mailto:a@reports.example.net")))
        #expect(checks[3] == .accepted(uri("mailto:other@override.example.net")))
        guard case .refused = checks[4], case .refused = checks[5], case .temporaryFailure = checks[6], case .refused = checks[7]
        else {
            Issue.record("unexpected checks: \(checks)")
            return
        }
        #expect(checks[8] == .accepted(uri("mailto:f@any.example")))
    }
}
