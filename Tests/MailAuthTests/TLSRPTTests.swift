import Core
import Foundation
import MailAuth
import PostaTestSupport
import Testing

@Suite("TLS-RPT: record, report JSON, session counts (RFC 8460)")
struct TLSRPTTests {
    @Test("_smtp._tls records §3")
    func records() {
        let record = TLSRPTRecord("v=TLSRPTv1; rua=mailto:tls-reports@example.com , https://reports.example.com/tlsrpt")
        #expect(record?.reportURIs == ["mailto:tls-reports@example.com", "https://reports.example.com/tlsrpt"])
        #expect(record?.mailtoAddresses == ["tls-reports@example.com"])
        #expect(TLSRPTRecord("v=TLSRPTv1;rua=mailto:a%40b@example.com;")?.mailtoAddresses == ["a@b@example.com"])
        #expect(TLSRPTRecord("v=TLSRPTv1; rua=ftp://x.example")?.reportURIs == nil)  // only mailto/https kept
        #expect(TLSRPTRecord("v=TLSRPTv1") == nil)
        #expect(TLSRPTRecord("v=TLSRPTv2; rua=mailto:a@b.example") == nil)
        #expect(TLSRPTRecord("v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d.example") == nil)
        #expect(TLSRPTRecord("v=TLSRPTv1; rua=") == nil)
        #expect(TLSRPTRecord("v=TLSRPTv1; rua=mailto:a@b.example,") == nil)
        #expect(TLSRPTRecord("v=TLSRPTv1; rua=mailto:a b@example") == nil)
        #expect(TLSRPTRecord(String(repeating: "v=TLSRPTv1; ", count: 300)) == nil)
        #expect(TLSRPTRecord.select(["v=spf1", "v=TLSRPTv1; rua=mailto:a@b.example"]) != nil)
        #expect(TLSRPTRecord.select(["v=TLSRPTv1; rua=mailto:a@b.example", "v=TLSRPTv1; rua=mailto:c@b.example"]) == nil)
    }

    @Test("counts per day and domain become one report", arguments: TestDatabases.dialects)
    func report(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(TLSRPTSchema.migrations)
            let store = TLSRPTSessionStore(database: db)
            let sts = TLSRPTReport.Policy(
                policyType: .sts, policyString: ["version: STSv1", "mode: enforce", "mx: mx.example.com", "max_age: 86400"],
                policyDomain: "Example.com", mxHost: ["mx.example.com"])
            let day: Int64 = 1_700_006_400
            for _ in 0..<3 { try await store.record(TLSRPTSession(policy: sts, receivingMX: "mx.example.com"), at: day + 10) }
            try await store.record(
                TLSRPTSession(
                    policy: sts, failure: .certificateNotTrusted, receivingMX: "MX.example.com", receivingIP: "192.0.2.1",
                    detail: "CERTIFICATE_VERIFY_FAILED"), at: day + 20)
            try await store.record(
                TLSRPTSession(
                    policy: sts, failure: .certificateNotTrusted, receivingMX: "mx.example.com", receivingIP: "192.0.2.1"),
                at: day + 30)
            try await store.record(
                TLSRPTSession(policy: .init(policyType: .noPolicyFound, policyDomain: "example.com")), at: day + 40)
            try await store.record(TLSRPTSession(policy: sts), at: day + 86_400)  // the next day
            #expect(try await store.domains(periodStart: day) == ["example.com"])
            let reporter = TLSRPTReporter(
                organizationName: "Posta test", contactInfo: "postmaster@posta.example", submitter: "posta.example")
            let report = try #require(try await store.report(domain: "example.com", periodStart: day, reporter: reporter))
            #expect(report.dateRange.start == "2023-11-15T00:00:00Z" && report.dateRange.end == "2023-11-15T23:59:59Z")
            #expect(report.policies.count == 2)
            let stsResult = try #require(report.policies.first { $0.policy.policyType == .sts })
            #expect(stsResult.summary == .init(successful: 3, failed: 2))
            #expect(stsResult.failureDetails?.count == 1)
            #expect(stsResult.failureDetails?.first?.failedSessionCount == 2)
            #expect(stsResult.failureDetails?.first?.resultType == .certificateNotTrusted)
            #expect(stsResult.failureDetails?.first?.additionalInformation == "CERTIFICATE_VERIFY_FAILED")
            let none = try #require(report.policies.first { $0.policy.policyType == .noPolicyFound })
            #expect(none.summary == .init(successful: 1, failed: 0) && none.policy.policyString == nil)
            // The JSON uses RFC 8460's member names and survives a round trip.
            let json = try report.json()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
            #expect(Set(object.keys) == ["organization-name", "date-range", "contact-info", "report-id", "policies"])
            #expect(try JSONDecoder().decode(TLSRPTReport.self, from: Data(json)) == report)
            let gz = try report.gzippedJSON()
            #expect(gz.prefix(2) == [0x1F, 0x8B])
            try await store.purge(before: day + 86_400)
            #expect(try await store.domains(periodStart: day).isEmpty)
        }
    }
}

@Suite("TLS-RPT report mail (RFC 8460 §5.3)")
struct TLSRPTMailTests {
    @Test("headers, multipart/report, gzip attachment")
    func mail() throws {
        let report = TLSRPTReport(
            organizationName: "posta.example", dateRange: .init(begin: 1_700_006_400, end: 1_700_092_799),
            contactInfo: "postmaster@posta.example", reportID: "1700006400.example.com@posta.example",
            policies: [
                .init(
                    policy: .init(policyType: .noPolicyFound, policyDomain: "example.com"),
                    summary: .init(successful: 1, failed: 0))
            ])
        let mail = TLSRPTReportMail(
            report: report, domain: "example.com", submitter: "posta.example", from: "postmaster@posta.example",
            to: "tls@example.com", date: 1_700_100_000, begin: 1_700_006_400, end: 1_700_092_799)
        let text = String(decoding: try mail.render(), as: UTF8.self)
        #expect(text.contains("\r\nTLS-Report-Domain: example.com\r\n"))
        #expect(text.contains("\r\nTLS-Report-Submitter: posta.example\r\n"))
        #expect(text.contains("Content-Type: multipart/report; report-type=\"tlsrpt\";"))
        #expect(text.contains("Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64"))
        #expect(text.contains("filename=\"posta.example!example.com!1700006400!1700092799.json.gz\""))
        #expect(text.contains("Date: Thu, 16 Nov 2023 02:00:00 +0000"))
        #expect(!text.utf8.contains { $0 > 0x7F })
        #expect(text.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 998 })
    }
}

@Suite("TLS-RPT: received reports")
struct TLSRPTReceivedTests {
    static let example = """
        {"organization-name":"Company-X","date-range":{"start-datetime":"2016-04-01T00:00:00Z",
        "end-datetime":"2016-04-01T23:59:59Z"},"contact-info":"sts-reporting@company-x.example",
        "report-id":"5065427c-23d3-47ca-b6e0-946ea0e8c4be","policies":[{"policy":{"policy-type":"sts",
        "policy-string":["version: STSv1","mode: testing","mx: *.mail.company-y.example","max_age: 86400"],
        "policy-domain":"company-y.example","mx-host":["*.mail.company-y.example"]},
        "summary":{"total-successful-session-count":5326,"total-failure-session-count":303},
        "failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"2001:db8:abcd:0012::1",
        "receiving-mx-hostname":"mx1.mail.company-y.example","failed-session-count":100},
        {"result-type":"starttls-not-supported","sending-mta-ip":"2001:db8:abcd:0013::1",
        "receiving-mx-hostname":"mx2.mail.company-y.example","receiving-ip":"203.0.113.56",
        "failed-session-count":200,"additional-information":"https://reports.company-x.example/"},
        {"result-type":"validation-failure","sending-mta-ip":"198.51.100.62","receiving-ip":"203.0.113.58",
        "receiving-mx-hostname":"mx-backup.mail.company-y.example","failed-session-count":3,
        "failure-reason-code":"X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"}]}]}
        """

    @Test("a report in the shape of RFC 8460 §4.4, plain and gzipped, stored once", arguments: TestDatabases.dialects)
    func receive(dialect: Database.Dialect) async throws {
        let report = try TLSRPTReport.decode(received: Array(Self.example.utf8))
        #expect(report.policies.first?.failureDetails?.count == 3)
        #expect(report.policies.first?.summary == .init(successful: 5326, failed: 303))
        let gz = try TLSRPTReport.decode(received: try TLSRPTReport.decode(received: Array(Self.example.utf8)).gzippedJSON())
        #expect(gz == report)
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(TLSRPTSchema.migrations)
            let store = TLSRPTReceivedStore(database: db)
            #expect(try await store.store(report, receivedAt: 1))
            #expect(try await !store.store(report, receivedAt: 2))
            #expect(try await store.reports().map(\.report) == [report])
        }
    }

    @Test("a report mail (RFC 8460 §5.3) is read back; mails without one, or with too many, are refused")
    func reportMail() throws {
        let report = try TLSRPTReport.decode(received: Array(Self.example.utf8))
        let mail = TLSRPTReportMail(
            report: report, domain: "company-y.example", submitter: "company-x.example", from: "sts-reporting@company-x.example",
            to: "tls@company-y.example", date: 1_459_555_200, begin: 1_459_468_800, end: 1_459_555_199)
        let bytes = try mail.render()
        #expect(try TLSRPTReport.decode(mail: bytes) == [report])
        #expect(throws: TLSRPTReportError.self) {
            try TLSRPTReport.decode(mail: Array("Subject: hello\r\n\r\nno report here\r\n".utf8))
        }
        // Nine report parts: more than a message may carry.
        let part = "--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n\(Self.example)\r\n"
        let many =
            "Content-Type: multipart/report; report-type=tlsrpt; boundary=b\r\n\r\n"
            + String(repeating: part, count: 9) + "--b--\r\n"
        #expect(throws: TLSRPTReportError.self) { try TLSRPTReport.decode(mail: Array(many.utf8)) }
        // A part that claims to be a report but is not refuses the message.
        let broken = "Content-Type: application/tlsrpt+json\r\n\r\n{\"organization-name\": 5}\r\n"
        #expect(throws: TLSRPTReportError.self) { try TLSRPTReport.decode(mail: Array(broken.utf8)) }
    }

    @Test("hostile received reports are refused")
    func hostile() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let bomb = try! TLSRPTReport.gzip(Array(repeating: 0x20, count: TLSRPTReport.maxJSONBytes + 10))
        for bytes in [
            Array(deep.utf8), Array("{}".utf8), Array("not json".utf8), [0x1F, 0x8B, 0x08, 0x00, 0x01], bomb,
            Array(Self.example.replacingOccurrences(of: "certificate-expired", with: "made-up").utf8),
            Array(Self.example.replacingOccurrences(of: "5326", with: "\"5326\"").utf8),
            [UInt8](repeating: 0x20, count: TLSRPTReport.maxReceivedBytes + 1),
        ] {
            #expect(throws: TLSRPTReportError.self) { try TLSRPTReport.decode(received: bytes) }
        }
    }
}
