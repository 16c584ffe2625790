import Core
import MIME
import PostaTestSupport
import Testing

@testable import Webmail

@Suite("Webmail compose, send and drafts")
struct ComposeTests {
    static let original = """
        From: Bob <bob@example.net>
        To: ann@example.org, carl@example.org
        Cc: dora@example.net
        Subject: Plans
        Date: Thu, 03 Dec 2026 10:00:00 +0000
        Message-ID: <orig@example.net>
        References: <root@example.net>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary=b

        --b
        Content-Type: text/plain

        Line one
        Line two
        --b
        Content-Type: application/pdf; name=plan.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --b--
        """

    @Test(
        "reply all: recipients without oneself, Re:, quoted text, In-Reply-To and References",
        arguments: [Database.Dialect.sqlite])
    func replyAll(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(Self.original)
            let draft = try await f.webmail.startDraft(f.ann, mode: .all, folder: "INBOX", uid: uid)
            #expect(draft.to == "Bob <bob@example.net>, carl@example.org")
            #expect(draft.cc == "dora@example.net")
            #expect(draft.subject == "Re: Plans")
            #expect(draft.inReplyTo == "<orig@example.net>")
            #expect(draft.references == ["<root@example.net>", "<orig@example.net>"])
            #expect(draft.body.contains("> Line one\n> Line two"))
            #expect(draft.origin == Draft.Origin(folder: "INBOX", uid: uid, kind: .reply))
            let reply = try await f.webmail.startDraft(f.ann, mode: .reply, folder: "INBOX", uid: uid)
            #expect(reply.to == "Bob <bob@example.net>")
            #expect(reply.cc == "")
        }
    }

    @Test(
        "send: Bcc not in the submitted message but in the Sent copy; \\Answered set; recipients remembered",
        arguments: TestDatabases.dialects)
    func send(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(Self.original)
            var draft = try await f.webmail.startDraft(f.ann, mode: .reply, folder: "INBOX", uid: uid)
            draft.bcc = "Secret <secret@example.org>"
            draft.subject = "Re: Plans – Grüße"
            draft.attachments = [DraftAttachment(filename: "Übersicht.txt", mimeType: "text/plain", bytes: Array("data\n".utf8))]
            let sender = RecordingSender()
            #expect(try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: sender) == .accepted(queueID: "Q1"))
            let sent = try #require(sender.sent.first)
            #expect(sent.reversePath == "ann@example.org")
            #expect(sent.recipients == ["bob@example.net", "secret@example.org"])
            let message = MIMEMessage(sent.bytes)
            #expect(message.header["Bcc"] == nil)
            #expect(message.header.field("Subject")?.decodedValue == "Re: Plans – Grüße")
            #expect(message.header["In-Reply-To"] == "<orig@example.net>")
            #expect(message.header.field("From")?.decodedValue == "Ann Example <ann@example.org>")
            #expect(message.root.parts.count == 2)
            #expect(
                message.root.parts[1].filename == "Übersicht.txt"
                    || message.root.parts[1].attachmentNames.contains("Übersicht.txt"))
            #expect(message.decodedBody(of: message.root.parts[1]) == Array("data\n".utf8))

            let copies = try await f.webmail.list(f.ann, MessageListQuery(folder: "Sent")).items
            #expect(copies.count == 1)
            let copy = MIMEMessage(try await f.webmail.source(f.ann, folder: "Sent", uid: copies[0].uid))
            #expect(copy.header.field("Bcc")?.decodedValue == "Secret <secret@example.org>")
            let original = try await f.webmail.list(f.ann, MessageListQuery(folder: "INBOX")).items.first { $0.uid == uid }
            #expect(original?.isAnswered == true)
            let completions = try await f.webmail.completions(f.ann, prefix: "sec")
            #expect(completions.map(\.address) == ["secret@example.org"])
        }
    }

    @Test("a refused or oversize message leaves nothing in Sent; bad addresses are refused", arguments: [Database.Dialect.sqlite])
    func refusals(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            var draft = Draft()
            draft.to = "bob@example.net"
            draft.subject = "hi"
            let refusing = RecordingSender(answer: .refused("550 5.7.1 not allowed"))
            let outcome = try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: refusing)
            #expect(outcome == .refused("550 5.7.1 not allowed"))
            draft.attachments = [
                DraftAttachment(
                    filename: "big.bin", mimeType: "application/octet-stream", bytes: Array(repeating: 7, count: 200_000))
            ]
            let small = RecordingSender(maxMessageBytes: 100_000)
            await #expect(throws: WebmailError.self) { try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: small) }
            #expect(small.sent.isEmpty)
            let sentCount = try await f.webmail.list(f.ann, MessageListQuery(folder: "Sent")).total
            #expect(sentCount == 0)
            draft.attachments = []
            draft.to = "not an address"
            await #expect(throws: WebmailError.self) { try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: small) }
            draft.to = ""
            await #expect(throws: WebmailError.invalid("Add at least one recipient.")) {
                try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: small)
            }
        }
    }

    @Test("drafts: saved, resumed with their attachments, replaced, removed when sent", arguments: TestDatabases.dialects)
    func drafts(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(Self.original)
            var draft = try await f.webmail.startDraft(f.ann, mode: .forward, folder: "INBOX", uid: uid)
            #expect(draft.subject == "Fwd: Plans")
            #expect(draft.kept.map(\.filename) == ["plan.pdf"])
            draft.to = "zed@example.net"
            let first = try await f.webmail.saveDraft(f.ann, draft)
            var resumed = try await f.webmail.startDraft(f.ann, mode: .draft, folder: "Drafts", uid: first)
            #expect(resumed.to == "zed@example.net")
            #expect(resumed.subject == "Fwd: Plans")
            #expect(resumed.kept.map(\.filename) == ["plan.pdf"])
            #expect(resumed.origin == Draft.Origin(folder: "INBOX", uid: uid, kind: .forward))
            #expect(resumed.draftUID == first)
            resumed.body += "\nmore"
            let second = try await f.webmail.saveDraft(f.ann, resumed)
            let drafts = try await f.webmail.list(f.ann, MessageListQuery(folder: "Drafts")).items
            #expect(drafts.map(\.uid) == [second])
            #expect(drafts.first?.isDraft == true)

            let again = try await f.webmail.startDraft(f.ann, mode: .draft, folder: "Drafts", uid: second)
            let sender = RecordingSender()
            _ = try await f.webmail.send(f.ann, again, clientIP: "192.0.2.1", via: sender)
            let sent = MIMEMessage(try #require(sender.sent.first).bytes)
            #expect(sent.header["X-Posta-Draft-Origin"] == nil)
            #expect(sent.decodedBody(of: sent.root.parts[1]) == Array("%PDF-1.4\n".utf8))
            #expect(try await f.webmail.list(f.ann, MessageListQuery(folder: "Drafts")).total == 0)
            let original = try await f.webmail.list(f.ann, MessageListQuery(folder: "INBOX")).items.first
            #expect(original?.isForwarded == true)
        }
    }

    @Test("forward as attachment carries the original message whole", arguments: [Database.Dialect.sqlite])
    func forwardAttached(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(Self.original)
            var draft = try await f.webmail.startDraft(f.ann, mode: .attach, folder: "INBOX", uid: uid)
            draft.to = "zed@example.net"
            let sender = RecordingSender()
            _ = try await f.webmail.send(f.ann, draft, clientIP: "192.0.2.1", via: sender)
            let sent = MIMEMessage(try #require(sender.sent.first).bytes)
            let attached = sent.root.parts[1]
            #expect(attached.contentType.mimeType == "message/rfc822")
            #expect(attached.encapsulatedMessage?.header["Message-ID"] == "<orig@example.net>")
        }
    }

    @Test("settings are checked and kept", arguments: [Database.Dialect.sqlite])
    func settings(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            var settings = WebmailSettings()
            settings.displayName = "Ann E."
            settings.signature = "Ann\nRoom 12"
            settings.replyTo = "ann.e@example.org"
            settings.pageSize = 25
            try await f.webmail.saveSettings(f.ann, settings)
            #expect(try await f.webmail.settings(f.ann) == settings)
            let draft = try await f.webmail.startDraft(f.ann, mode: .new, folder: nil, uid: nil)
            #expect(draft.body == "\n\n-- \nAnn\nRoom 12")
            settings.replyTo = "nope"
            await #expect(throws: WebmailError.self) { try await f.webmail.saveSettings(f.ann, settings) }
            settings.replyTo = ""
            settings.pageSize = 5000
            await #expect(throws: WebmailError.self) { try await f.webmail.saveSettings(f.ann, settings) }
            settings.pageSize = 50
            settings.displayName = "two\nlines"
            await #expect(throws: WebmailError.self) { try await f.webmail.saveSettings(f.ann, settings) }
            #expect(try await f.webmail.trustsRemoteContent(f.ann, from: "news@example.net") == false)
            try await f.webmail.trustRemoteContent(f.ann, from: "News@Example.net")
            #expect(try await f.webmail.trustsRemoteContent(f.ann, from: "news@example.net"))
        }
    }
}
