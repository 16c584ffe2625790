import Core
import Foundation
import MIME
import PostaTestSupport
import Testing

@testable import Filter

/// A message with an .exe attachment, base64-encoded, for a message/rfc822 part.
private let base64Exe = Data("From: x@y.example\r\nContent-Type: application/octet-stream; name=\"a.exe\"\r\n\r\nMZ\r\n".utf8)
    .base64EncodedString()

/// Attachment names hidden from a naive reading (issue #12 item 13): each trick is a part a client would
/// show or save as `.exe`, and must be refused.
@Suite struct AttachmentNameTests {
    let rules = ContentRules(headerChecks: false, blockedExtensions: ["exe"], blockedTypes: ["application/x-msdownload"])
    static let header = "From: a@b.example\r\nDate: Mon, 02 Feb 2026 10:00:00 +0000\r\nMessage-ID: <1@b.example>\r\n"

    static func multipart(_ part: String) -> MIMEMessage {
        MIMEMessage(
            Array(
                (header + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n"
                    + "Content-Type: text/plain\r\n\r\nsee attached\r\n--XX\r\n" + part + "--XX--\r\n").utf8))
    }

    @Test(
        arguments: [
            ("trailing dot", "Content-Disposition: attachment; filename=\"a.exe.\"\r\n\r\nMZ\r\n"),
            ("trailing dots and spaces", "Content-Disposition: attachment; filename=\"a.exe. . \"\r\n\r\nMZ\r\n"),
            ("upper case", "Content-Disposition: attachment; filename=\"Invoice.PDF.EXE\"\r\n\r\nMZ\r\n"),
            ("RFC 2231 charset", "Content-Disposition: attachment; filename*=utf-8''a%2Eexe\r\n\r\nMZ\r\n"),
            ("RFC 2231 continuations", "Content-Disposition: attachment; filename*0=\"a.e\"; filename*1=\"xe\"\r\n\r\nMZ\r\n"),
            (
                "RFC 2231 encoded continuation",
                "Content-Disposition: attachment;\r\n filename*0*=utf-8''%61.; filename*1*=%65%78%65%2E\r\n\r\nMZ\r\n"
            ),
            (
                "plain name behind an RFC 2231 one",
                "Content-Disposition: attachment; filename*=utf-8''report.pdf; filename=\"report.exe\"\r\n\r\nMZ\r\n"
            ),
            (
                "first section only (readers without continuations)",
                "Content-Disposition: attachment; filename*0=\"a.exe\"; filename*1=\".txt\"\r\n\r\nMZ\r\n"
            ),
            (
                "Content-Type name behind a harmless filename",
                "Content-Type: application/octet-stream; name=\"a.exe\"\r\nContent-Disposition: attachment; filename=\"a.txt\"\r\n\r\nMZ\r\n"
            ),
            (
                "second Content-Disposition",
                "Content-Disposition: attachment; filename=\"a.txt\"\r\nContent-Disposition: attachment; filename=\"a.exe\"\r\n\r\nMZ\r\n"
            ),
            ("RFC 2047 in the parameter", "Content-Disposition: attachment; filename=\"=?utf-8?B?YS5leGU=?=\"\r\n\r\nMZ\r\n"),
            ("RFC 2047 with a trailing dot", "Content-Disposition: attachment; filename=\"=?utf-8?q?a.exe.?=\"\r\n\r\nMZ\r\n"),
            ("RFC 2047 in name", "Content-Type: application/octet-stream; name=\"=?iso-8859-1?q?a=2Eexe?=\"\r\n\r\nMZ\r\n"),
            (
                "name hidden in another parameter's quotes",
                "Content-Type: application/octet-stream; x=\"; name=a.exe\"\r\n\r\nMZ\r\n"
            ),
            ("zero-width space", "Content-Disposition: attachment; filename*=utf-8''a.e%E2%80%8Bxe\r\n\r\nMZ\r\n"),
            ("right-to-left override", "Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe\r\n\r\nMZ\r\n"),
            ("NTFS stream", "Content-Disposition: attachment; filename=\"a.exe::$DATA\"\r\n\r\nMZ\r\n"),
            ("Windows path", "Content-Disposition: attachment; filename=\"C:\\\\tmp\\\\a.exe\"\r\n\r\nMZ\r\n"),
            ("unquoted with a tab", "Content-Disposition: attachment; filename=a.exe\t\r\n\r\nMZ\r\n"),
            (
                "second Content-Type",
                "Content-Type: text/plain\r\nContent-Type: application/x-msdownload\r\n\r\nMZ\r\n"
            ),
            ("uuencoded in the text", "Content-Type: text/plain\r\n\r\nbegin 644 a.exe\r\n#35HT\r\n`\r\nend\r\n"),
            ("yEnc in the text", "Content-Type: text/plain\r\n\r\n=ybegin line=128 size=2 name=a.exe\r\nxx\r\n=yend size=2\r\n"),
            (
                "base64-encoded attached message",
                "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n\(base64Exe)\r\n"
            ),
        ])
    func refused(trick: String, part: String) {
        #expect(rules.check(Self.multipart(part))?.code == 554, "\(trick)")
    }

    @Test(
        arguments: [
            "Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n%PDF\r\n",
            "Content-Disposition: attachment; filename=\"exe.pdf\"\r\n\r\n%PDF\r\n",
            "Content-Disposition: attachment; filename=\"a.exe.pdf\"\r\n\r\n%PDF\r\n",
            "Content-Disposition: attachment; filename=\"noextension\"\r\n\r\nxx\r\n",
            "Content-Type: text/plain\r\n\r\nbegin here, then exe\r\n",
        ])
    func accepted(part: String) {
        #expect(rules.check(Self.multipart(part)) == nil)
    }

    @Test(
        arguments: [
            ("a.exe.", "exe"), ("a.EXE  ", "exe"), ("a.exe. .", "exe"), ("dir/a.exe", "exe"), ("c:\\a.exe", "exe"),
            ("a.exe\u{202E}", "exe"), ("a.e\u{200B}xe", "exe"), ("a.exe\u{0}", "exe"), ("a.exe:zone", "exe"),
            ("a.pdf", "pdf"), ("a", nil), ("a.", nil), (".", nil),
        ] as [(String, String?)])
    func fileExtension(name: String, expected: String?) {
        #expect(AttachmentName.fileExtension(of: name) == expected)
    }
}

/// A message whose MIME tree exceeds the parser's limits is not passed unchecked (issue #12 item 13).
@Suite struct MIMELimitActionTests {
    let rules = ContentRules(headerChecks: false, blockedExtensions: ["exe"], blockedTypes: [])

    static func nested(depth: Int) -> String {
        var text = "Content-Type: application/octet-stream; name=\"a.exe\"\r\n\r\nMZ\r\n"
        for level in 0..<depth {
            text = "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n\(text)--b\(level)--\r\n"
        }
        return AttachmentNameTests.header + text
    }

    func verdict(_ message: String, action: FilterSettings.Action, maxBytes: Int = 1 << 20) async throws -> FilterVerdict {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/m"
        try message.write(toFile: path, atomically: true, encoding: .utf8)
        let scanner = ContentRulesScanner(rules: rules, maxBytes: maxBytes, limitAction: action)
        let filterMessage = FilterMessage(path: path, size: Int64(message.utf8.count), clientIP: "192.0.2.1")
        return try await scanner.scan(filterMessage, timeout: .seconds(5))
    }

    @Test func withinTheLimitsTheAttachmentIsFound() async throws {
        let verdict = try await verdict(Self.nested(depth: 10), action: .quarantine)
        guard case .reject(let reply) = verdict else {
            Issue.record("\(verdict)")
            return
        }
        #expect(reply.text.contains("a.exe"))
    }

    @Test func tooDeepIsRejectedOrQuarantined() async throws {
        let deep = Self.nested(depth: MIMEParseLimits.default.maxDepth + 5)
        let rejected = try await verdict(deep, action: .reject)
        guard case .reject(let reply) = rejected else {
            Issue.record("\(rejected)")
            return
        }
        #expect(reply.code == 554 && reply.text.contains("depth"))
        let held = try await verdict(deep, action: .quarantine)
        guard case .quarantine(let reason, _) = held else {
            Issue.record("\(held)")
            return
        }
        #expect(reason.contains("depth"))
    }

    @Test func tooManyPartsAndHugeHeadersAreSuspicious() async throws {
        let many =
            AttachmentNameTests.header + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
            + String(repeating: "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", count: MIMEParseLimits.default.maxEntities + 10)
            + "--b\r\nContent-Type: application/octet-stream; name=\"a.exe\"\r\n\r\nMZ\r\n--b--\r\n"
        guard case .quarantine(let reason, _) = try await verdict(many, action: .quarantine) else {
            Issue.record("many")
            return
        }
        #expect(reason.contains("entities"))
        let huge =
            AttachmentNameTests.header + String(repeating: "X-Filler: \(String(repeating: "a", count: 90))\r\n", count: 1_200)
            + "\r\nhi\r\n"
        guard case .quarantine(let why, _) = try await verdict(huge, action: .quarantine) else {
            Issue.record("huge")
            return
        }
        #expect(why.contains("header size"))
    }

    @Test func ordinaryMailPasses() async throws {
        let plain = AttachmentNameTests.header + "Content-Type: text/plain\r\n\r\nhello\r\n"
        #expect(try await verdict(plain, action: .reject) == .accept(headers: []))
    }

    @Test func aMessageLargerThanWhatIsParsedIsSuspicious() async throws {
        let body = String(repeating: "x", count: 200 + ContentRulesScanner.traceAllowance)
        let plain = AttachmentNameTests.header + "Content-Type: text/plain\r\n\r\n" + body + "\r\n"
        guard case .reject = try await verdict(plain, action: .reject, maxBytes: 200) else {
            Issue.record("truncated")
            return
        }
        #expect(try await verdict(plain, action: .reject, maxBytes: plain.utf8.count) == .accept(headers: []))
    }
}
