import Core
import Foundation
import PostaTestSupport
import Queue
import SQLKit
import Sieve
import Testing

/// What a script, or a stranger sending to it, must not achieve: sending as someone else,
/// backscatter, loops hidden behind stripped fields, Posta's own fields edited, a core burnt,
/// a delivery deferred by a bad flag.
@Suite struct SieveAbuseTests {
    /// A delivery request as LocalDelivery makes it: Posta's fields (`trace`) on top of the
    /// message, whose header sits in the prefix too when `headerInPrefix` (forged verdict fields
    /// stripped), the spool file holding the rest.
    static func request(
        _ site: SieveFixture, accountID: Int64, trace: String, message: String, headerInPrefix: Bool = false,
        key: String = "k/1", keep: String = "INBOX"
    ) throws -> LocalDeliveryRequest {
        let bytes = Array(message.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let (_, file) = try site.queue.openSpoolFile()
        try file.write(bytes)
        var prefix = Array(trace.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let traceLength = prefix.count
        var offset: Int64 = 0
        if headerInPrefix {
            let end = bytes.indices.first { bytes[$0...].starts(with: [0x0D, 0x0A, 0x0D, 0x0A]) }.map { $0 + 2 } ?? bytes.count
            prefix += bytes[..<end]
            offset = Int64(end)
        }
        return LocalDeliveryRequest(
            accountID: accountID, address: "alice@example.org", recipient: "alice@example.org",
            reversePath: "stranger@remote.example", keepMailbox: keep, prefix: prefix, traceLength: traceLength,
            spoolFile: file.path, offset: offset, size: Int64(bytes.count), deliveryKey: key, messageID: key)
    }

    static let trace = "Return-Path: <stranger@remote.example>\nDelivered-To: alice@example.org\n"
    static let spamTrace = trace + "X-Spam-Flag: YES\nX-Spam-Status: Yes, score=12.0 required=5.0 scanner=spamd tests=\n"
    static let message =
        "From: stranger@remote.example\nTo: alice@example.org\nSubject: hi\nMessage-ID: <m1@remote.example>\n\nBody.\n"

    static func activate(_ site: SieveFixture, _ accountID: Int64, _ text: String) async throws {
        try await site.scripts.put(accountID: accountID, name: "main", text: text)
        try await site.scripts.setActive(accountID: accountID, name: "main")
    }

    @Test(arguments: TestDatabases.dialects)
    func vacationFromIsOneOfTheUsersOwnAddresses(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            _ = try await site.account("boss@example.org")
            try await Self.activate(
                site, alice.id,
                "require \"vacation\";\nvacation :from \"Boss <boss@example.org>\" \"Away.\";\n")
            _ = try await site.rules.decide(try Self.request(site, accountID: alice.id, trace: Self.trace, message: Self.message))
            let reply = try #require(try await site.outbound().first)
            #expect(reply.data.contains("From: <alice@example.org>"))
            #expect(!reply.data.contains("boss@example.org"))
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func spamGetsNoVacationReplyAndNoRejectDSN(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await Self.activate(site, alice.id, "require \"vacation\";\nvacation \"Away.\";\n")
            _ = try await site.rules.decide(
                try Self.request(site, accountID: alice.id, trace: Self.spamTrace, message: Self.message, keep: "Junk"))
            #expect(try await site.outbound().isEmpty)
            try await Self.activate(site, alice.id, "require \"reject\";\nreject \"Go away.\";\n")
            let decision = try await site.rules.decide(
                try Self.request(
                    site, accountID: alice.id, trace: Self.spamTrace, message: Self.message, key: "k/2", keep: "Junk"))
            // Kept where spam goes, no DSN to the (forged) sender.
            #expect(decision == .file([LocalFiling(mailbox: "Junk")], header: nil, bodyOffset: nil))
            let ham = try await site.rules.decide(
                try Self.request(site, accountID: alice.id, trace: Self.trace, message: Self.message, key: "k/3"))
            guard case .reject = ham else {
                Issue.record("ham was not rejected: \(String(describing: ham))")
                return
            }
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func aLoopIsSeenThroughStrippedFieldsAndTheCopyCarriesNoVerdict(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await Self.activate(site, alice.id, "redirect \"out@remote.example\";\n")
            // The message came back from outside with alice's Delivered-To, and with X-Spam-*
            // fields of its own that Posta stripped (its header moved into the prefix).
            let looped = "Delivered-To: alice@example.org\nX-Spam-Flag: NO\n" + Self.message
            let decision = try await site.rules.decide(
                try Self.request(
                    site, accountID: alice.id, trace: Self.trace + "X-Spam-Flag: NO\n", message: looped, headerInPrefix: true))
            #expect(decision == .file([LocalFiling(mailbox: "INBOX")], header: nil, bodyOffset: nil))
            #expect(try await site.outbound().isEmpty)
            // A first pass is redirected: Delivered-To on top, without Posta's Return-Path or verdict.
            _ = try await site.rules.decide(
                try Self.request(
                    site, accountID: alice.id, trace: Self.trace + "X-Spam-Flag: NO\n", message: Self.message, key: "k/2"))
            let copy = try #require(try await site.outbound().first)
            #expect(copy.data.hasPrefix("Delivered-To: alice@example.org\r\nFrom: stranger@remote.example"))
            #expect(!copy.data.contains("Return-Path") && !copy.data.contains("X-Spam-Flag"))
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func editheaderLeavesPostasFieldsAlone(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await Self.activate(
                site, alice.id,
                "require \"editheader\";\ndeleteheader \"X-Spam-Flag\";\ndeleteheader \"Delivered-To\";\naddheader \"X-Note\" \"seen\";\n"
            )
            let decision = try await site.rules.decide(
                try Self.request(site, accountID: alice.id, trace: Self.spamTrace, message: Self.message, keep: "Junk"))
            guard case .file(_, let header?, _) = decision else {
                Issue.record("no edited header: \(String(describing: decision))")
                return
            }
            let text = String(decoding: header, as: UTF8.self)
            #expect(text.hasPrefix(Self.spamTrace.replacingOccurrences(of: "\n", with: "\r\n")))
            #expect(text.contains("X-Note: seen"))
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func aScriptThatWouldBurnACoreEndsAndKeeps(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            let key = String(repeating: "a", count: 3_000) + "b"
            try await Self.activate(
                site, alice.id,
                "require [\"body\", \"fileinto\"];\nif body :text :matches \"*\(key)\" { fileinto \"Never\"; }\n")
            let body = String(repeating: "a", count: 900_000)
            let start = ContinuousClock.now
            let decision = try await site.rules.decide(
                try Self.request(site, accountID: alice.id, trace: Self.trace, message: Self.message + body + "\n"))
            #expect(decision == .file([LocalFiling(mailbox: "INBOX")], header: nil, bodyOffset: nil))
            #expect(ContinuousClock.now - start < .seconds(30))
            #expect(try await site.scripts.list(accountID: alice.id).first?.lastError?.contains("work") == true)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func aFlagTheStoreCannotKeepDoesNotDeferTheMessage(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await Self.activate(
                site, alice.id, "require [\"imap4flags\"];\naddflag \"\(String(repeating: "x", count: 300))\";\n")
            try await site.deliver(SieveDeliveryTests.message("flagged"), from: "friend@remote.example", to: "alice@example.org")
            #expect(try await site.subjects("alice@example.org") == ["flagged"])
        }
    }
}
