import Core
import Foundation
import PostaTestSupport
import Queue
import SQLKit
import Sieve
import Testing

/// Scripts at local delivery through the real queue runner: filing with flags and :create,
/// discard, reject (a failed delivery whose DSN carries the reason), redirect and vacation
/// queued once whatever happens, runtime errors keeping the message.
@Suite struct SieveDeliveryTests {
    static func message(_ subject: String, from: String = "friend@remote.example", extra: String = "") -> String {
        "From: \(from)\nTo: alice@example.org\nSubject: \(subject)\nMessage-ID: <\(subject.filter(\.isLetter))@remote.example>\n\(extra)\nBody.\n"
    }

    @Test(arguments: TestDatabases.dialects)
    func filingFlagsCreateAndDiscard(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(
                accountID: alice.id, name: "main",
                text: """
                    require ["fileinto", "mailbox", "imap4flags"];
                    if header :contains "subject" "report" { fileinto :create :flags "\\\\Flagged" "Reports"; }
                    elsif header :contains "subject" "junk" { discard; }
                    elsif header :contains "subject" "nowhere" { fileinto "Missing"; }
                    """)
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            for subject in ["daily report", "junk mail", "nowhere", "plain"] {
                try await site.deliver(Self.message(subject), from: "friend@remote.example", to: "alice@example.org")
            }
            let reports = try await site.stored("alice@example.org", "Reports")
            #expect(reports.map(\.subject) == ["daily report"])
            #expect(reports.first?.flags.contains("\\Flagged") == true)
            #expect(try await site.subjects("alice@example.org") == ["nowhere", "plain"])
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func rejectFailsTheDeliveryWithTheReason(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(accountID: alice.id, name: "main", text: "require \"reject\";\nreject \"Not here.\";\n")
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            try await site.deliver(Self.message("hello"), from: "friend@remote.example", to: "alice@example.org")
            #expect(try await site.subjects("alice@example.org").isEmpty)
            let row = try await site.database.withConnection { db in
                try await db.select().columns("status", "last_error").from("queue_recipient").where("kind", .equal, "local")
                    .first()
            }
            #expect(try row?.decode(column: "status", as: String.self) == "failed")
            #expect(try row?.decode(column: "last_error", as: String?.self)?.contains("5.7.1") == true)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func redirectAndVacationAreQueuedOncePerDelivery(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(
                accountID: alice.id, name: "main",
                text: """
                    require ["vacation", "copy"];
                    redirect :copy "archive@remote.example";
                    vacation :days 1 :subject "Away" "Back on Monday.";
                    """)
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            try await site.deliver(Self.message("first"), from: "friend@remote.example", to: "alice@example.org")
            // The same delivery decided again (a retry after a crash between the sends and the
            // filing): nothing is sent twice.
            let (id, file) = try site.queue.openSpoolFile()
            try file.write(Array(Self.message("again").replacingOccurrences(of: "\n", with: "\r\n").utf8))
            let request = LocalDeliveryRequest(
                accountID: alice.id, address: "alice@example.org", recipient: "alice@example.org",
                reversePath: "other@remote.example", keepMailbox: "INBOX", prefix: [], traceLength: 0, spoolFile: file.path,
                offset: 0,
                size: 100, deliveryKey: "fixed/1", messageID: id)
            _ = try await site.rules.decide(request)
            _ = try await site.rules.decide(request)
            // A second message from the first sender: redirected, but no second reply in the period.
            try await site.deliver(Self.message("second"), from: "friend@remote.example", to: "alice@example.org")
            let out = try await site.outbound()
            let redirects = out.filter { $0.to == "archive@remote.example" }
            let replies = out.filter { $0.data.contains("Auto-Submitted: auto-replied") }
            #expect(redirects.count == 3)
            #expect(redirects.allSatisfy { $0.from == "friend@remote.example" || $0.from == "other@remote.example" })
            #expect(replies.map(\.to).sorted() == ["friend@remote.example", "other@remote.example"])
            #expect(replies.allSatisfy { $0.from.isEmpty })
            #expect(replies.first?.data.contains("In-Reply-To: <first@remote.example>") == true)
            #expect(try await site.subjects("alice@example.org") == ["first", "second"])
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func theRedirectLimitKeepsTheMessage(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect, redirectsPerHour: 2) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(accountID: alice.id, name: "main", text: "redirect \"elsewhere@remote.example\";\n")
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            for subject in ["one", "two", "three"] {
                try await site.deliver(Self.message(subject), from: "friend@remote.example", to: "alice@example.org")
            }
            // Two redirects an hour in this fixture: the third message stays with alice.
            #expect(try await site.outbound().count == 2)
            #expect(try await site.subjects("alice@example.org") == ["three"])
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func aRuntimeErrorKeepsTheMessageAndIsRecorded(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(
                accountID: alice.id, name: "main",
                text:
                    "require [\"variables\", \"fileinto\"];\nset \"to\" \"not an address\";\nfileinto \"Elsewhere\";\nredirect \"${to}\";\n"
            )
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            try await site.deliver(Self.message("kept"), from: "friend@remote.example", to: "alice@example.org")
            #expect(try await site.subjects("alice@example.org") == ["kept"])
            #expect(try await site.outbound().isEmpty)
            let listed = try await site.scripts.list(accountID: alice.id)
            #expect(listed.first?.lastError?.isEmpty == false)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func noScriptNoChange(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(accountID: alice.id, name: "inactive", text: "discard;\n")
            try await site.deliver(Self.message("plain"), from: "friend@remote.example", to: "alice@example.org")
            #expect(try await site.subjects("alice@example.org") == ["plain"])
        }
    }
}
