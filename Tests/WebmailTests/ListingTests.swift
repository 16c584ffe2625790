import Core
import PostaTestSupport
import Testing

@testable import Webmail

@Suite("Webmail message lists")
struct ListingTests {
    @Test("sorted by date, from, subject and size, paged in SQL", arguments: TestDatabases.dialects)
    func sortingAndPaging(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            // 30 messages: sent a day apart, senders and subjects in another order, growing sizes.
            for i in 0..<30 {
                let day = 1 + i % 28
                let sender = "S\(String(format: "%02d", (i * 7) % 30)) <s\(i)@example.net>"
                try await f.deliver(
                    WebmailFixture.message(
                        from: sender, subject: "Re: Topic \(String(format: "%02d", (i * 11) % 30))",
                        date: "\(day) Nov 2026 \(String(format: "%02d", i % 24)):00:00 +0000",
                        body: String(repeating: "x", count: i * 10)))
            }
            var query = MessageListQuery(folder: "INBOX")
            query.pageSize = 10
            let first = try await f.webmail.list(f.ann, query)
            #expect(first.total == 30)
            #expect(first.pageCount == 3)
            #expect(first.items.count == 10)
            let dates = first.items.map(\.sentAt)
            #expect(dates == dates.sorted(by: >))
            query.page = 2
            let last = try await f.webmail.list(f.ann, query)
            #expect(last.items.count == 10)
            #expect(last.items.first!.sentAt <= first.items.last!.sentAt)

            query.page = 0
            query.sort = .from
            query.descending = false
            query.pageSize = 30
            let byFrom = try await f.webmail.list(f.ann, query).items.map(\.fromName)
            #expect(byFrom == byFrom.sorted())
            query.sort = .subject
            // "Re:" is not part of the sort key (RFC 5256 base subject).
            let bySubject = try await f.webmail.list(f.ann, query).items.map(\.subject)
            #expect(bySubject == bySubject.sorted())
            #expect(bySubject.first == "Re: Topic 00")
            query.sort = .size
            query.descending = true
            let bySize = try await f.webmail.list(f.ann, query).items.map(\.size)
            #expect(bySize == bySize.sorted(by: >))
        }
    }

    @Test("within a sender or subject the newest comes first; descending is the reverse", arguments: TestDatabases.dialects)
    func ties(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            // Two senders, three messages each, delivered out of date order.
            for (sender, day) in [("B", 3), ("A", 1), ("B", 1), ("A", 3), ("A", 2), ("B", 2)] {
                try await f.deliver(
                    WebmailFixture.message(
                        from: "\(sender) <\(sender.lowercased())@example.net>", subject: "Same",
                        date: "\(day) Nov 2026 10:00:00 +0000", body: "x"))
            }
            var query = MessageListQuery(folder: "INBOX")
            for sort in [MessageSort.from, .subject] {
                query.sort = sort
                query.descending = false
                let ascending = try await f.webmail.list(f.ann, query).items
                if sort == .from { #expect(ascending.map(\.fromName) == ["A", "A", "A", "B", "B", "B"]) }
                #expect(ascending.prefix(3).map(\.sentAt) == ascending.prefix(3).map(\.sentAt).sorted(by: >))
                query.descending = true
                let descending = try await f.webmail.list(f.ann, query).items
                #expect(descending.map(\.uid) == ascending.map(\.uid).reversed())
            }
        }
    }

    @Test("unread and flagged filters; new mail is summarised on the next listing", arguments: TestDatabases.dialects)
    func filtersAndNewMail(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.deliver(WebmailFixture.message(subject: "read"), flags: ["\\Seen"])
            try await f.deliver(WebmailFixture.message(subject: "flagged"), flags: ["\\Seen", "\\Flagged"])
            try await f.deliver(WebmailFixture.message(subject: "new"))
            var query = MessageListQuery(folder: "INBOX")
            query.unreadOnly = true
            #expect(try await f.webmail.list(f.ann, query).items.map(\.subject) == ["new"])
            query.unreadOnly = false
            query.flaggedOnly = true
            let flagged = try await f.webmail.list(f.ann, query).items
            #expect(flagged.map(\.subject) == ["flagged"])
            #expect(flagged.first?.isFlagged == true)
            try await f.deliver(WebmailFixture.message(subject: "later", date: "Fri, 04 Dec 2026 09:00:00 +0000"))
            let all = try await f.webmail.list(f.ann, MessageListQuery(folder: "INBOX"))
            #expect(all.total == 4)
            #expect(all.items.first?.subject == "later")
            let rows = try await f.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM webmail_summary").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(rows == 4)
        }
    }

    @Test("conversations group a thread by References and In-Reply-To", arguments: TestDatabases.dialects)
    func conversations(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.deliver(
                "From: a@example.net\nSubject: Plan\nDate: 1 Dec 2026 10:00 +0000\nMessage-ID: <root@x>\n\nfirst\n")
            try await f.deliver(
                "From: b@example.net\nSubject: Re: Plan\nDate: 1 Dec 2026 11:00 +0000\nMessage-ID: <r1@x>\nIn-Reply-To: <root@x>\nReferences: <root@x>\n\nsecond\n"
            )
            try await f.deliver(
                "From: a@example.net\nSubject: Re: Plan\nDate: 1 Dec 2026 12:00 +0000\nMessage-ID: <r2@x>\nIn-Reply-To: <r1@x>\nReferences: <root@x> <r1@x>\n\nthird\n"
            )
            let other = try await f.deliver(WebmailFixture.message(subject: "Unrelated", date: "2 Dec 2026 10:00 +0000"))
            var query = MessageListQuery(folder: "INBOX")
            query.conversations = true
            let listing = try await f.webmail.list(f.ann, query)
            #expect(listing.total == 2)
            #expect(listing.items.map(\.conversationCount) == [1, 3])
            #expect(listing.items.first?.uid == other)
            let thread = try await f.webmail.conversation(f.ann, folder: "INBOX", uid: listing.items[1].uid)
            #expect(thread.map(\.fromName) == ["a@example.net", "b@example.net", "a@example.net"])
        }
    }

    @Test("an unknown folder is refused, and page bounds are kept", arguments: [Database.Dialect.sqlite])
    func bounds(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            await #expect(throws: WebmailError.noSuchFolder("Nope")) {
                try await f.webmail.list(f.ann, MessageListQuery(folder: "Nope"))
            }
            var query = MessageListQuery(folder: "INBOX")
            query.pageSize = 100_000
            query.page = -3
            let listing = try await f.webmail.list(f.ann, query)
            #expect(listing.query.pageSize == WebmailLimits.pageSizes.upperBound)
            #expect(listing.query.page == 0)
        }
    }
}
