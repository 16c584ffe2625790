import Core
import Directory
import MIME
import PostaTestSupport
import Testing

@testable import Webmail

/// What the attacker review of the webmail found, each kept from coming back.
@Suite("Webmail bounds")
struct HardeningTests {
    @Test("references to stored parts are weighed before they are read", arguments: [Database.Dialect.sqlite])
    func keptPartsAreBounded(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let big = try await f.deliver(WebmailFixture.message(subject: "big", body: String(repeating: "x", count: 300_000)))
            var draft = Draft()
            draft.to = "bob@example.net"
            draft.kept = Array(
                repeating: KeptPart(folder: "INBOX", uid: big, part: "", filename: "m.eml", mimeType: "message/rfc822"), count: 5)
            let sender = RecordingSender(maxMessageBytes: 1_000_000)
            // The same reference five times counts once.
            _ = try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: sender)
            #expect(MIMEMessage(try #require(sender.sent.first).bytes).root.parts.count == 2)
            draft.kept = (0..<5).map {
                KeptPart(folder: "INBOX", uid: big, part: "", filename: "m\($0).eml", mimeType: "x/\($0)")
            }
            await #expect(throws: WebmailError.self) {
                try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: sender)
            }
            await #expect(throws: WebmailError.self) { try await f.webmail.saveDraft(f.ann, draft, maxBytes: 1_000_000) }
            #expect(sender.sent.count == 1)
        }
    }

    @Test("a draft opened from Trash is not the Drafts message with the same UID", arguments: [Database.Dialect.sqlite])
    func draftOutsideDrafts(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let inDrafts = try await f.deliver(WebmailFixture.message(subject: "keep me"), to: "Drafts", flags: ["\\Draft"])
            let inTrash = try await f.deliver(WebmailFixture.message(subject: "old draft"), to: "Trash", flags: ["\\Draft"])
            #expect(inDrafts == inTrash)
            var draft = try await f.webmail.startDraft(f.ann, mode: .draft, folder: "Trash", uid: inTrash)
            #expect(draft.draftUID == nil)
            draft.to = "bob@example.net"
            _ = try await f.webmail.saveDraft(f.ann, draft)
            let drafts = try await f.webmail.list(f.ann, MessageListQuery(folder: "Drafts")).items.map(\.subject)
            #expect(Set(drafts) == ["keep me", "old draft"])
        }
    }

    @Test("a message forwarded whole from Sent carries no Bcc", arguments: [Database.Dialect.sqlite])
    func forwardedWithoutBcc(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(
                "From: ann@example.org\nTo: bob@example.net\nBcc: secret@example.org\nSubject: sent one\n\nbody\n", to: "Sent")
            var draft = try await f.webmail.startDraft(f.ann, mode: .attach, folder: "Sent", uid: uid)
            draft.to = "carl@example.net"
            let sender = RecordingSender()
            _ = try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: sender)
            let sent = MIMEMessage(try #require(sender.sent.first).bytes)
            let attached = try #require(sent.root.parts[1].encapsulatedMessage)
            #expect(attached.header["Bcc"] == nil)
            #expect(attached.header["Subject"] == "sent one")
        }
    }

    @Test("address completion stays in the account's domain", arguments: [Database.Dialect.sqlite])
    func completionScope(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.directory.addDomain("other.example")
            _ = try await f.directory.addAccount("anna@other.example", password: try StoredPassword("{PLAIN}x"))
            _ = try await f.directory.addAccount("andy@example.org", password: try StoredPassword("{PLAIN}x"))
            try await f.directory.addAlias("announce@example.org", targets: ["ann@example.org"])
            try await f.directory.addAlias("anything@other.example", targets: ["anna@other.example"])
            let found = try await f.webmail.completions(f.ann, prefix: "an").map(\.address)
            #expect(Set(found) == ["ann@example.org", "andy@example.org", "announce@example.org"])
        }
    }
}
