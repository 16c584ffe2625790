import Core
import PostaTestSupport
import Testing

@testable import Lists

@Suite("Archive threads: posts joined by In-Reply-To and References")
struct ArchiveThreadTests {
    static func post(_ subject: String, id: String, inReplyTo: String? = nil, references: String? = nil) -> String {
        "From: Alice <alice@example.net>\r\nTo: dept@example.org\r\nSubject: \(subject)\r\nMessage-ID: <\(id)@example.net>\r\n"
            + (inReplyTo.map { "In-Reply-To: <\($0)@example.net>\r\n" } ?? "")
            + (references.map { "References: \($0)\r\n" } ?? "") + "\r\nText\r\n"
    }

    @Test(
        "replies go under what they answer; a lost parent is skipped to the nearest known ancestor",
        arguments: TestDatabases.dialects)
    func threads(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            var settings = ListSettings()
            settings.style = .open
            let list = try await f.lists.create("dept@example.org", settings: settings)
            let posts = [
                Self.post("Plans", id: "a"),
                Self.post("Re: Plans", id: "b", inReplyTo: "a", references: "<a@example.net>"),
                Self.post("Other topic", id: "d"),
                Self.post("Re: Re: Plans", id: "c", inReplyTo: "b", references: "<a@example.net> <b@example.net>"),
                // Its parent never reached the list: it joins the nearest ancestor the archive has.
                Self.post("Re: Plans (lost)", id: "e", inReplyTo: "zz", references: "<a@example.net>\r\n <zz@example.net>"),
            ]
            for text in posts {
                try await f.post(text)
                try await f.drain()
            }
            let archive = f.transport.archive
            let (threads, total) = try await archive.threads(list)
            #expect(total == 2)
            // The thread with the latest post first.
            #expect(threads.map(\.first.subject) == ["Plans", "Other topic"])
            #expect(threads.map(\.posts) == [4, 1])
            let thread = try await archive.thread(list, key: threads[0].first.key)
            #expect(thread.map(\.post.subject) == ["Plans", "Re: Plans", "Re: Re: Plans", "Re: Plans (lost)"])
            #expect(thread.map(\.depth) == [0, 1, 2, 1])
            #expect(thread[1].post.parentKey == thread[0].post.key)
            #expect(try await archive.thread(list, key: "aaaaaaaaaaaaaaaaaaaaaaaa").isEmpty)
            #expect(try await archive.threads(list, page: 2, pageSize: 1).threads.map(\.first.subject) == ["Other topic"])
        }
    }

    @Test("a post copying another's Message-ID draws no replies away from it", arguments: [Database.Dialect.sqlite])
    func duplicateMessageID(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            var settings = ListSettings()
            settings.style = .open
            let list = try await f.lists.create("dept@example.org", settings: settings)
            for text in [
                Self.post("Real", id: "a"), Self.post("Impostor", id: "a"),
                Self.post("Re: Real", id: "b", inReplyTo: "a", references: "<a@example.net>"),
            ] {
                try await f.post(text)
                try await f.drain()
            }
            let threads = try await f.transport.archive.threads(list).threads
            let real = try #require(threads.first { $0.first.subject == "Real" })
            #expect(real.posts == 2)
            #expect(threads.first { $0.first.subject == "Impostor" }?.posts == 1)
        }
    }

    @Test("arranging never loops, whatever the parent links say")
    func arrangeIsBounded() {
        func post(_ key: String, parent: String) -> ArchivedPost {
            ArchivedPost(
                id: 0, key: key, subject: key, sender: "", senderName: "", messageID: "", archivedAt: 0, size: 0,
                parentKey: parent, threadKey: "t")
        }
        // A cycle (a → b → a) and a self-parent: each post shown once.
        let arranged = ListArchive.arrange([post("a", parent: "b"), post("b", parent: "a"), post("c", parent: "c")])
        #expect(arranged.map(\.post.key).sorted() == ["a", "b", "c"])
    }
}
