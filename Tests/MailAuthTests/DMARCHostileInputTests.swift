import Foundation
import PostaTestSupport
import Testing
import ZIPFoundation

@testable import MailAuth

/// RFC 9990 §7.1 and RFC 9989 §11.5: hostile reports and records end in errors, with bounded work.
@Suite("DMARC hostile input")
struct DMARCHostileInputTests {
    @Test func gzipBombStopsAtTheLimit() throws {
        let zeros = try DMARCFeedback.gzip([UInt8](repeating: 0x20, count: 64 << 20))
        #expect(zeros.count < 200_000)
        let limits = DMARCReportLimits(xmlBytes: 1 << 20)
        let error = #expect(throws: DMARCReportError.self) {
            try DMARCReportPayload.reports(in: zeros, limits: limits)
        }
        #expect(error?.description.contains("inflates beyond") == true)
    }

    @Test func zipBombsAndCrowdedArchives() throws {
        let big = try Archive(accessMode: .create)
        let size = 8 << 20
        try big.addEntry(with: "report.xml", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate) {
            _, chunk in
            Data(count: chunk)
        }
        let limits = DMARCReportLimits(xmlBytes: 1 << 20)
        let error = #expect(throws: DMARCReportError.self) {
            try DMARCReportPayload.reports(in: Array(big.data!), limits: limits)
        }
        #expect(error?.description.contains("zip entry") == true)
        // The same archive declaring 100 octets: inflating stops at the limit all the same.
        var lying = Array(big.data!)
        if let central = lying.firstRange(of: Array("PK\u{01}\u{02}".utf8)) {
            lying.replaceSubrange((central.lowerBound + 24)..<(central.lowerBound + 28), with: [100, 0, 0, 0])
        }
        let lyingError = #expect(throws: DMARCReportError.self) {
            try DMARCReportPayload.reports(in: lying, limits: limits)
        }
        #expect(lyingError?.description.contains("inflates beyond") == true)
        let crowded = try Archive(accessMode: .create)
        for index in 0..<20 {
            try crowded.addEntry(with: "r\(index).xml", type: .file, uncompressedSize: Int64(1), compressionMethod: .none) {
                (_: Int64, _: Int) in
                Data("<".utf8)
            }
        }
        let crowdedError = #expect(throws: DMARCReportError.self) {
            try DMARCReportPayload.reports(in: Array(crowded.data!))
        }
        #expect(crowdedError?.description.contains("more than 16 entries") == true)
    }

    @Test func deepXMLIsRefusedBeforeParsing() {
        let deep = "<feedback>" + String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000) + "</feedback>"
        let error = #expect(throws: DMARCReportError.self) {
            try DMARCFeedback.decode(xml: Array(deep.utf8))
        }
        #expect(error?.description.contains("nested deeper") == true)
    }

    @Test func entityExpansionIsRefused() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE feedback [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <feedback><report_metadata><org_name>&c;</org_name></report_metadata></feedback>
            """
        let error = #expect(throws: DMARCReportError.self) {
            try DMARCFeedback.decode(xml: Array(laughs.utf8))
        }
        #expect(error?.description.contains("document type declaration") == true)
    }

    @Test func tenThousandRowsParseWithinLimits() throws {
        var builder = DMARCAggregateBuilder(policyPublished: DMARCReportTests.policy)
        for index in 0..<10_000 {
            builder.add(
                DMARCEvaluationRecord(
                    sourceIP: "10.\(index / 65536).\(index / 256 % 256).\(index % 256)", headerFrom: "example.com",
                    disposition: .reject,
                    dkimAligned: false, spfAligned: false, spf: DMARCReportSPFResult(domain: "example.com", result: .fail)))
        }
        let report = try #require(builder.build(metadata: DMARCReportTests.metadata))
        let xml = try report.xml()
        let started = ContinuousClock.now
        let decoded = try DMARCFeedback.decode(xml: xml)
        #expect(decoded.records.count == 10_000)
        #expect(decoded.records.reduce(0) { $0 + $1.row.count } == 10_000)
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(throws: DMARCReportError.self) { try DMARCFeedback.decode(xml: xml, limits: DMARCReportLimits(records: 5_000)) }
        #expect(throws: DMARCReportError.self) { try DMARCFeedback.decode(xml: xml, limits: DMARCReportLimits(elements: 50_000)) }
    }

    /// Foundation's parser traps on element names that are not UTF-8: they must not reach it.
    @Test func encodings() throws {
        #expect(throws: DMARCReportError.self) {
            try DMARCFeedback.decode(xml: Array("<feedback><record".utf8) + [0xFE] + Array("/></feedback>".utf8))
        }
        #expect(throws: DMARCReportError.self) { try DMARCFeedback.decode(xml: [0xFF, 0xFE, 0x3C, 0x00]) }
        #expect(throws: DMARCReportError.self) {
            try DMARCFeedback.decode(xml: Array("<?xml version=\"1.0\" encoding=\"EBCDIC\"?><feedback/>".utf8))
        }
        var sample = DMARCReportTests.sample
        sample.metadata.orgName = "Zürich Mail"
        let utf8 = try sample.xml()
        #expect(try DMARCFeedback.decode(xml: [0xEF, 0xBB, 0xBF] + utf8).metadata.orgName == "Zürich Mail")
        let latin1 = String(decoding: utf8, as: UTF8.self).replacingOccurrences(
            of: "encoding=\"UTF-8\"", with: "encoding='windows-1252'"
        )
        .unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        #expect(try DMARCFeedback.decode(xml: latin1).metadata.orgName == "Zürich Mail")
    }

    @Test func oversizedPayloadsAreRefusedUnread() {
        let limits = DMARCReportLimits(payloadBytes: 1000)
        #expect(throws: DMARCReportError.self) {
            try DMARCReportPayload.reports(in: [UInt8](repeating: UInt8(ascii: "<"), count: 1001), limits: limits)
        }
    }

    /// Random and mutated payloads: errors, never a crash.
    @Test func garbageEndsInErrors() throws {
        var random = SeededGenerator(seed: 9989)
        let valid = try DMARCReportTests.sample.xml()
        let gz = try DMARCReportTests.sample.gzippedXML()
        let archive = try Archive(accessMode: .create)
        try archive.addEntry(with: "a.xml", type: .file, uncompressedSize: Int64(valid.count), compressionMethod: .deflate) {
            (position: Int64, size: Int) in Data(valid[Int(position)..<Int(position) + size])
        }
        let zip = Array(archive.data!)
        let inputs = [valid, gz, zip]
        for round in 0..<4000 {
            var bytes = round % 4 == 3 ? (0..<200).map { _ in UInt8.random(in: 0...255, using: &random) } : inputs[round % 4]
            for _ in 0..<8 {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = UInt8.random(in: 0...255, using: &random)
            }
            bytes = Array(bytes.prefix(Int.random(in: 1...bytes.count, using: &random)))
            _ = try? DMARCReportPayload.reports(in: bytes)
        }
    }

    @Test func hostileRecordsInDNS() async {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.huge.example": [.txt("v=DMARC1; p=reject; " + String(repeating: "x", count: 100_000))],
            "_dmarc.garbage.example": [.txt("v=DMARC1; \u{0}\u{1}\u{FF}; p=\u{7F}reject")],
            "_dmarc.many.example": [.txt("v=DMARC1; p=reject")] + (0..<50).map { _ in .txt("v=DMARC1; p=none") },
        ]
        let checker = DMARCChecker(dns: ZoneDNS(zone))
        #expect(await checker.evaluate(Mail.message(from: "huge.example")).result == .permerror)
        #expect(await checker.evaluate(Mail.message(from: "garbage.example")).result == .permerror)
        #expect(await checker.evaluate(Mail.message(from: "many.example")).result == DMARCResult.none)
    }
}
