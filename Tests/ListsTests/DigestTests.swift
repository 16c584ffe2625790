import Core
import Foundation
import MIME
import PostaTestSupport
import Queue
import SQLKit
import Testing

@testable import Lists

@Suite("Digests: posts collected, sent as MIME (RFC 2046) or plain (RFC 1153) issues, once")
struct DigestTests {
    static func post(_ subject: String, from author: String = "alice@example.net") -> String {
        "From: Alice <\(author)>\r\nTo: dept@example.org\r\nSubject: \(subject)\r\nMessage-ID: <\(subject.hashValue)@x>\r\n\r\nText of \(subject)\r\n"
    }

    static func settings(threshold: Int64 = 0, period: DigestPeriod = .daily) -> ListSettings {
        var s = ListSettings()
        s.style = .open
        s.digestSizeThreshold = threshold
        s.digestPeriod = period
        return s
    }

    @Test(
        "digest members get no copy per post; one issue holds the posts, numbered, sent once", arguments: TestDatabases.dialects)
    func issue(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            let mime = try await f.account("mime@example.org")
            let plain = try await f.account("plain@example.org")
            try await f.lists.create("dept@example.org", settings: Self.settings())
            for member in ["bob@example.org", "mime@example.org", "plain@example.org"] {
                try await f.lists.addMember("dept@example.org", address: member)
            }
            try await f.lists.setMember(
                "dept@example.org", address: "mime@example.org", disabled: nil, moderation: nil, mode: .mimeDigest)
            try await f.lists.setMember(
                "dept@example.org", address: "plain@example.org", disabled: nil, moderation: nil, mode: .plainDigest)
            try await f.post(Self.post("First"))
            try await f.post(Self.post("Second ------------------------------"))
            try await f.drain()
            #expect(try await f.inbox(bob).count == 2)
            #expect(try await f.inbox(mime).isEmpty)
            #expect(try await f.inbox(plain).isEmpty)

            let sent = try #require(try await f.transport.sendDigest("dept@example.org"))
            #expect(sent.volume == 1 && sent.issue == 1)
            #expect(try await f.transport.sendDigest("dept@example.org") == nil)
            try await f.drain()
            let mimeDigest = MIMEMessage(try #require(try await f.inbox(mime).first))
            #expect(mimeDigest.header["Subject"] == "dept Digest, Vol 1, Issue 1")
            #expect(mimeDigest.header["List-Id"] == "<dept.example.org>")
            #expect(mimeDigest.header["List-Unsubscribe"]?.contains("/lists/unsubscribe/") == true)
            let digestPart = try #require(mimeDigest.root.parts.first { $0.contentType.mimeType == "multipart/digest" })
            #expect(digestPart.parts.count == 2)
            #expect(digestPart.parts.allSatisfy { $0.contentType.mimeType == "message/rfc822" })
            let toc = mimeDigest.decodedText(of: mimeDigest.root.parts[0]) ?? ""
            // Numbered in the order the posts were queued (the two here went in one queue run).
            #expect(toc.contains("1. [dept] ") && toc.contains("2. [dept] "))
            #expect(toc.contains("[dept] First (Alice)") && toc.contains("[dept] Second"))

            let plainDigest = MIMEMessage(try #require(try await f.inbox(plain).first))
            #expect(plainDigest.root.contentType.mimeType == "text/plain")
            let text = plainDigest.decodedText(of: plainDigest.root) ?? ""
            #expect(text.contains("Today's Topics:") && text.contains("Text of First"))
            #expect(text.contains("\nSubject: [dept] First\r\n"))
            #expect(text.hasSuffix("End of dept Digest, Vol 1, Issue 1\r\n**********************************\r\n"))
            #expect(text.components(separatedBy: "\r\n" + String(repeating: "-", count: 30) + "\r\n").count == 3)

            // The next issue is 2; the kept files are gone.
            #expect(try await f.lists.list("dept@example.org").digestIssue == 2)
            let kept = try FileManager.default.contentsOfDirectory(atPath: f.folder.path + "/digest")
            #expect(kept.isEmpty)
        }
    }

    @Test(
        "a digest goes out when its posts pass the size threshold, or when its period is over",
        arguments: [Database.Dialect.sqlite])
    func triggers(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let mime = try await f.account("mime@example.org")
            try await f.lists.create("dept@example.org", settings: Self.settings(threshold: 2000, period: .weekly))
            try await f.lists.addMember("dept@example.org", address: "mime@example.org")
            try await f.lists.setMember(
                "dept@example.org", address: "mime@example.org", disabled: nil, moderation: nil, mode: .mimeDigest)
            try await f.post(Self.post("Small"))
            try await f.drain()
            #expect(try await f.inbox(mime).isEmpty)
            // A day later: not due (weekly); eight days later: due.
            await f.transport.sendDueDigests(now: UnixTime.now() + 86_400)
            try await f.drain()
            #expect(try await f.inbox(mime).isEmpty)
            await f.transport.sendDueDigests(now: UnixTime.now() + 8 * 86_400)
            try await f.drain()
            #expect(try await f.inbox(mime).count == 1)
            // Past the threshold: sent as the post is queued.
            try await f.post(Self.post("Big " + String(repeating: "x", count: 2000)))
            try await f.drain()
            #expect(try await f.inbox(mime).count == 2)
        }
    }

    @Test("a new month starts a new volume at issue 1", arguments: [Database.Dialect.sqlite])
    func volumes(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org", settings: Self.settings())
            try await f.lists.addMember("dept@example.org", address: "x@example.net")
            try await f.lists.setMember(
                "dept@example.org", address: "x@example.net", disabled: nil, moderation: nil, mode: .plainDigest)
            try await f.post(Self.post("One"))
            try await f.drain()
            let now: Int64 = 1_797_336_000  // 2026-12-15 12:00 UTC: a minute later is the same month
            let sent11 = try #require(try await f.transport.sendDigest("dept@example.org", now: now))
            #expect(sent11.volume == 1 && sent11.issue == 1)
            try await f.post(Self.post("Two"))
            try await f.drain()
            let sent12 = try #require(try await f.transport.sendDigest("dept@example.org", now: now + 60))
            #expect(sent12.volume == 1 && sent12.issue == 2)
            try await f.post(Self.post("Three"))
            try await f.drain()
            let sent21 = try #require(try await f.transport.sendDigest("dept@example.org", now: now + 40 * 86_400))
            #expect(sent21.volume == 2 && sent21.issue == 1)
        }
    }

    @Test("plain digests escape a body line of thirty hyphens (RFC 1153)")
    func escaping() {
        let line = String(repeating: "-", count: 30)
        #expect(DigestBuilder.escaped("a\n\(line)\nb") == "a\n \(line)\nb")
        #expect(DigestBuilder.escaped(String(repeating: "-", count: 31)) == String(repeating: "-", count: 31))
    }
}
