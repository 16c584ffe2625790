import Core
import Filter
import Foundation
import PostaTestSupport
import Queue
import Testing

@testable import SMTP

/// Webmail's submission (`SMTPReceiver.submitLocally`): the port 587 pipeline in-process, over a real
/// directory, store and queue, on SQLite and PostgreSQL.
@Suite("Local submission (webmail through the submission pipeline)")
struct LocalSubmissionTests {
    typealias Fixture = LocalSubmissionFixture

    @Test(
        "an accepted message is queued with its envelope, signed, and delivered with its Received: field",
        arguments: TestDatabases.dialects)
    func accepted(dialect: Database.Dialect) async throws {
        let signer = RecordingSigner()
        try await Fixture.with(dialect, signer: signer) { f async throws in
            let message = Fixture.message(to: "bob@example.org, carol@remote.example")
            let result = await f.submit(to: ["bob@example.org", "carol@remote.example"], message)
            guard case .accepted(let id) = result else {
                Issue.record("not accepted: \(result)")
                return
            }
            let entry = try #require(try await f.queue.entry(id))
            #expect(entry.sender == "alice@example.org")
            #expect(entry.clientIP == Fixture.browser)
            #expect(entry.recipients.map(\.recipient) == ["bob@example.org", "carol@remote.example"])
            #expect(entry.recipients.map(\.kind) == [.local, .remote])

            // What was signed is the spooled message: this host's Received: field, then the message.
            let signed = String(decoding: try #require(signer.messages.first), as: UTF8.self)
            #expect(signer.messages.count == 1)
            #expect(signed.hasPrefix("Received: from webmail ([192.0.2.7])\r\n\tby mail.example.org (Posta) with HTTPS id \(id)"))
            #expect(!signed.contains("\tfor <"))  // two recipients: no `for` clause (RFC 5321 §4.4)
            #expect(signed.hasSuffix("\r\n" + message))

            _ = try await f.receiver.runner.deliverNow(messageID: id)
            let delivered = try await f.inbox("bob@example.org")
            #expect(delivered.count == 1)
            let content = try #require(delivered.first)
            #expect(
                content.contains(
                    "Delivered-To: bob@example.org\r\nDKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=test; l=\(signed.utf8.count)\r\nReceived: from webmail"
                ))
            #expect(content.hasSuffix(message))
        }
    }

    @Test(
        "a single recipient is named in the Received: field, and nothing is signed without a signer",
        arguments: TestDatabases.dialects)
    func singleRecipientUnsigned(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            guard case .accepted(let id) = await f.submit(to: ["bob@example.org"], Fixture.message()) else {
                Issue.record("not accepted")
                return
            }
            _ = try await f.receiver.runner.deliverNow(messageID: id)
            let content = try #require(try await f.inbox("bob@example.org").first)
            #expect(content.contains("with HTTPS id \(id)\r\n\tfor <bob@example.org>;\r\n"))
            #expect(!content.contains("DKIM-Signature"))
        }
    }

    @Test("MAIL FROM an address the user does not own is refused with 553 5.7.1", arguments: TestDatabases.dialects)
    func foreignSender(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let result = await f.submit(from: "bob@example.org", to: ["bob@example.org"], Fixture.message())
            guard case .refused(let reply, let recipient) = result else {
                Issue.record("accepted: \(result)")
                return
            }
            #expect(reply.code == 553 && reply.enhancedStatus == .init(5, 7, 1) && recipient == nil)
            #expect(try await f.isUntouched())
            // The null path is refused too, and a path that is not an address is a syntax error.
            #expect(await f.submit(from: "", to: ["bob@example.org"], Fixture.message()).code == "553 5.7.1")
            #expect(await f.submit(from: "alice@example.org>", to: ["bob@example.org"], Fixture.message()).code == "501 5.1.7")
            #expect(try await f.isUntouched())
        }
    }

    @Test("a From: field the user does not own is refused at the end of data, nothing kept", arguments: TestDatabases.dialects)
    func foreignFromHeader(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let result = await f.submit(to: ["bob@example.org"], Fixture.message(from: "Bob <bob@example.org>"))
            guard case .refused(let reply, nil) = result else {
                Issue.record("not refused for the whole message: \(result)")
                return
            }
            #expect(reply.code == 553 && reply.enhancedStatus == .init(5, 7, 1))
            #expect(reply.lines.first?.contains("From: <bob@example.org>") == true)
            #expect(try await f.isUntouched())
        }
    }

    @Test("an unknown local recipient refuses the whole submission, nothing queued", arguments: TestDatabases.dialects)
    func unknownRecipient(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let result = await f.submit(
                to: ["bob@example.org", "nobody@example.org", "carol@remote.example"], Fixture.message())
            #expect(
                result
                    == .refused(
                        SMTPReply(550, .init(5, 1, 1), "<nobody@example.org>: User unknown"), recipient: "nobody@example.org"))
            #expect(try await f.isUntouched())
            // No recipient at all is a sequence error, as DATA without RCPT.
            #expect(await f.submit(to: [], Fixture.message()).code == "503 5.5.1")
            // More recipients than the listener takes: 452 4.5.3 (RFC 5321 §4.5.3.1.10).
            let two = Limits(maxRecipients: 2)
            let result3 = await f.submit(
                to: ["bob@example.org", "a@remote.example", "b@remote.example"], Fixture.message(), limits: two)
            #expect(result3 == .refused(SMTPServerReplies.tooManyRecipients, recipient: "b@remote.example"))
            #expect(try await f.isUntouched())
        }
    }

    @Test("a policy quota refusal at the end of data comes back, the message not queued", arguments: TestDatabases.dialects)
    func policyQuota(dialect: Database.Dialect) async throws {
        let policy = QuotaPolicy(limit: 1)
        try await Fixture.with(dialect, policy: policy) { f async throws in
            guard case .accepted = await f.submit(to: ["bob@example.org"], Fixture.message()) else {
                Issue.record("the first message is within the quota")
                return
            }
            let entries = try await f.queue.entries()
            let result = await f.submit(to: ["bob@example.org"], Fixture.message())
            #expect(
                result == .refused(SMTPReply(452, .init(4, 7, 1), "Message quota exceeded for alice@example.org"), recipient: nil)
            )
            #expect(try await f.queue.entries() == entries)
            #expect(try f.spoolFiles().count == 1)  // the first message's file only
        }
    }

    @Test("a disabled account may not send", arguments: TestDatabases.dialects)
    func disabledAccount(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            try await f.directory.setEnabled("alice@example.org", false)
            #expect(await f.submit(to: ["bob@example.org"], Fixture.message()).code == "421 4.7.0")
            #expect(try await f.isUntouched())
            // An account that does not exist is refused the same way.
            #expect(
                await f.submit(as: "ghost@example.org", from: "ghost@example.org", to: ["bob@example.org"], Fixture.message())
                    .code == "421 4.7.0")
        }
    }

    @Test("containment: a suspended account is refused, an accepted message is reported", arguments: TestDatabases.dialects)
    func containment(dialect: Database.Dialect) async throws {
        let watch = RecordingWatch(suspended: ["mallory@example.org"])
        try await Fixture.with(dialect, watch: watch) { f async throws in
            try await f.account("mallory@example.org")
            let refused = await f.submit(
                as: "mallory@example.org", from: "mallory@example.org", to: ["bob@example.org"],
                Fixture.message(from: "mallory@example.org"))
            #expect(
                refused == .refused(SMTPReply(550, .init(5, 7, 1), "Account mallory@example.org is suspended"), recipient: nil))
            #expect(try await f.isUntouched())
            #expect(watch.accepted.isEmpty)

            guard case .accepted(let id) = await f.submit(to: ["bob@example.org", "carol@remote.example"], Fixture.message())
            else {
                Issue.record("not accepted")
                return
            }
            #expect(
                watch.accepted == [
                    .init(
                        user: "alice@example.org", clientIP: Fixture.browser, queueID: id,
                        recipients: ["bob@example.org", "carol@remote.example"])
                ])
        }
    }

    @Test("an oversize message is refused with 552 5.3.4 and no spool file is left", arguments: TestDatabases.dialects)
    func oversize(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let limits = Limits(maxMessageSize: .kibibytes(1))
            #expect(SMTPReceiver.localSubmissionSizeLimit(limits) == 1024)
            let big = Fixture.message(body: String(repeating: "x", count: 1100))
            #expect(await f.submit(to: ["bob@example.org"], big, limits: limits).code == "552 5.3.4")
            #expect(try await f.isUntouched())
            // At the limit exactly, it goes through (the Received: field added here is not counted).
            let exact = Fixture.message(body: String(repeating: "x", count: 1024 - Fixture.message(body: "").utf8.count))
            #expect(exact.utf8.count == 1024)
            guard case .accepted = await f.submit(to: ["bob@example.org"], exact, limits: limits) else {
                Issue.record("a message at the limit is refused")
                return
            }
        }
    }

    @Test("too many Received: fields is a mail loop: 554 5.4.6, nothing kept", arguments: TestDatabases.dialects)
    func hops(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let looped =
                String(repeating: "Received: from a by b; Fri, 4 Dec 2026 10:00:00 +0000\r\n", count: 51) + Fixture.message()
            #expect(await f.submit(to: ["bob@example.org"], looped).code == "554 5.4.6")
            #expect(try await f.isUntouched())
        }
    }

    @Test("only a submission receiver submits locally", arguments: [Database.Dialect.sqlite])
    func onlySubmission(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            let mx = SMTPReceiver(
                mode: .mx, hostname: "mail.example.org", directory: f.directory, store: f.store, queue: f.queue,
                runner: f.receiver.runner, authenticator: f.receiver.authenticator, logger: f.logger)
            let result = await mx.submitLocally(
                LocalSubmission(
                    user: "alice@example.org", clientIP: Fixture.browser, reversePath: "alice@example.org",
                    recipients: ["bob@example.org"], message: Array(Fixture.message().utf8)),
                limits: Limits(), logger: f.logger)
            #expect(result.code == "554 5.3.5")
            #expect(try await f.isUntouched())
        }
    }

    @Test("the content filter runs: a blocked attachment is refused, nothing kept", arguments: TestDatabases.dialects)
    func contentFilter(dialect: Database.Dialect) async throws {
        var settings = FilterSettings()
        settings.blockedExtensions = ["exe"]
        try await Fixture.with(dialect, filter: settings) { f async throws in
            let message =
                "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: tool\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhere\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=tool.exe\r\n\r\n"
                + "TVqQAAMAAAAEAAAA\r\n--b--\r\n"
            let result = await f.submit(to: ["bob@example.org"], message)
            guard case .refused(let reply, nil) = result else {
                Issue.record("not refused for the whole message: \(result)")
                return
            }
            #expect(reply.code == 554 && reply.lines.first?.contains("\"tool.exe\" not accepted") == true)
            #expect(try await f.isUntouched())
            guard case .accepted = await f.submit(to: ["bob@example.org"], Fixture.message()) else {
                Issue.record("a plain message is refused")
                return
            }
        }
    }

    @Test("the day's counts: a submission by its account, a refusal by its reply and the browser's address")
    func dailyCounts() async throws {
        let counts = RecordingCounts()
        try await Fixture.with(.sqlite, counts: counts) { f async throws in
            guard case .accepted = await f.submit(to: ["bob@example.org"], Fixture.message()) else {
                Issue.record("not accepted")
                return
            }
            #expect(counts[.submitted, key: "alice@example.org"] == 1)
            #expect(counts[.received, key: "submission"] == 1)
            _ = await f.submit(from: "bob@example.org", to: ["bob@example.org"], Fixture.message())
            #expect(counts[.refused, key: "submission 553 5.7.1"] == 1)
            #expect(counts[.refusedClient, key: Fixture.browser] == 1)
            #expect(counts[.submitted, key: "alice@example.org"] == 1)
        }
    }

    @Test("a spool that cannot be written is a temporary failure, nothing queued", arguments: TestDatabases.dialects)
    func spoolUnavailable(dialect: Database.Dialect) async throws {
        try await Fixture.with(dialect) { f async throws in
            try FileManager.default.removeItem(atPath: f.queue.spoolDirectory + "/tmp")
            let result = await f.submit(to: ["bob@example.org"], Fixture.message())
            #expect(result.code == "451 4.3.0")
            #expect(try await f.queue.entries().isEmpty)
        }
    }

    @Test("the MAIL command says SMTPUTF8 and 8BITMIME as a client would")
    func mailCommand() throws {
        func mail(_ from: String, _ message: String) -> SMTPMailCommand {
            SMTPReceiver.localMailCommand(
                nil,
                LocalSubmission(
                    user: "u", clientIP: "", reversePath: from, recipients: ["b@example.org"], message: Array(message.utf8)))
        }
        #expect(mail("a@example.org", "Subject: x\r\n\r\nplain\r\n").smtpUTF8 == false)
        #expect(mail("a@example.org", "Subject: x\r\n\r\nplain\r\n").body == nil)
        #expect(mail("a@example.org", "Subject: x\r\n\r\nGrüße\r\n").body == .eightBitMIME)
        #expect(mail("a@example.org", "Subject: x\r\n\r\nGrüße\r\n").smtpUTF8 == false)
        #expect(mail("a@example.org", "Subject: Grüße\r\n\r\nx\r\n").smtpUTF8 == true)
        #expect(mail("jörg@example.org", "Subject: x\r\n\r\nx\r\n").smtpUTF8 == true)
    }
}

extension LocalSubmissionResult {
    /// `553 5.7.1` for a refusal, `accepted` otherwise.
    var code: String {
        switch self {
        case .accepted: "accepted"
        case .refused(let reply, _): "\(reply.code)" + (reply.enhancedStatus.map { " \($0)" } ?? "")
        }
    }
}
