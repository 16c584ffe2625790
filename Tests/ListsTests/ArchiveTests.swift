import Core
import Foundation
import MIME
import PostaTestSupport
import Queue
import Testing

@testable import Lists

@Suite("Archives: accepted posts kept, listed, searched, exported; Archived-At in every copy")
struct ArchiveTests {
    static func post(_ subject: String, body: String, from author: String = "alice@example.net") -> String {
        "From: Alice <\(author)>\r\nTo: dept@example.org\r\nSubject: \(subject)\r\n\r\n\(body)\r\n"
    }

    @Test(
        "posts are archived with the key their copies' Archived-At names; search and reading", arguments: TestDatabases.dialects)
    func archived(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            var settings = ListSettings()
            settings.style = .open
            let list = try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            try await f.post(Self.post("Budget", body: "The numbers for 2027 are in.\r\nFrom now on, ask first."))
            try await f.drain()
            try await f.post(Self.post("Picnic", body: "Bring 100% of your appetite_"))
            try await f.drain()
            let copies = try await f.inbox(bob).map { MIMEMessage($0) }
            #expect(copies.count == 2)
            let archive = f.transport.archive
            let (posts, total) = try await archive.posts(list)
            #expect(total == 2)
            // Listed by the author's subject (the prefix says nothing in a list's own archive).
            #expect(posts.map(\.subject) == ["Picnic", "Budget"])
            for copy in copies {
                #expect(copy.header["List-Archive"] == "<https://mail.example.org/lists/archive/dept@example.org>")
                let at = try #require(copy.header["Archived-At"])
                let key = String(at.dropFirst("<https://mail.example.org/lists/archive/dept@example.org/m/".count).dropLast())
                let (post, bytes) = try #require(try await archive.post(list, key: key))
                #expect("[dept] " + post.subject == copy.header["Subject"])
                #expect(MIMEMessage(bytes).header["Archived-At"] == at)
            }
            // Search: text, subject, author; LIKE's wildcards are literal.
            #expect(try await archive.posts(list, query: "NUMBERS").posts.map(\.subject) == ["Budget"])
            #expect(try await archive.posts(list, query: "picnic").total == 1)
            #expect(try await archive.posts(list, query: "alice").total == 2)
            #expect(try await archive.posts(list, query: "100%").total == 1)
            #expect(try await archive.posts(list, query: "%").total == 1)
            #expect(try await archive.posts(list, query: "t_y").total == 0)
            #expect(try await archive.posts(list, query: "appetite_").total == 1)
            #expect(try await archive.post(list, key: "aaaaaaaaaaaaaaaaaaaaaaaa") == nil)
            #expect(try await archive.post(list, key: "../../etc/passwd") == nil)
            // Paging: page 2 of 1-per-page is the older post; pages past the end are empty.
            #expect(try await archive.posts(list, page: 2, pageSize: 1).posts.map(\.subject) == ["Budget"])
            #expect(try await archive.posts(list, page: 9, pageSize: 1).posts.isEmpty)

            // mboxrd: oldest first, body "From " lines quoted.
            var mbox: [UInt8] = []
            for try await chunk in archive.mbox(list) { mbox += chunk }
            let text = String(decoding: mbox, as: UTF8.self)
            #expect(text.hasPrefix("From alice@example.net "))
            #expect(text.contains("\n>From now on, ask first.\n"))
            #expect(text.components(separatedBy: "\nFrom alice@example.net ").count == 2)
            #expect(text.range(of: "Budget")!.lowerBound < text.range(of: "Picnic")!.lowerBound)
        }
    }

    @Test(
        "who reads: members, owners and moderators a private archive; anyone a public one; none keeps nothing",
        arguments: [Database.Dialect.sqlite])
    func readers(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            var settings = ListSettings()
            settings.style = .open
            var list = try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            try await f.lists.addMember("dept@example.org", address: "mod@example.org", role: .moderator)
            let archive = f.transport.archive
            #expect(try await archive.mayRead(list, reader: "BOB@example.org"))
            #expect(try await archive.mayRead(list, reader: "mod@example.org"))
            #expect(!(try await archive.mayRead(list, reader: "eve@example.net")))
            #expect(!(try await archive.mayRead(list, reader: nil)))
            list = try await f.lists.update("dept@example.org") { $0.archive = .public }
            #expect(try await archive.mayRead(list, reader: nil))
            list = try await f.lists.update("dept@example.org") { $0.archive = .none }
            #expect(!(try await archive.mayRead(list, reader: "bob@example.org")))
            try await f.post(Self.post("Unarchived", body: "x"))
            try await f.drain()
            let copy = MIMEMessage(try #require(try await f.inbox(bob).first))
            #expect(copy.header["Archived-At"] == nil && copy.header["List-Archive"] == nil)
            #expect(try await archive.posts(list).total == 0)
        }
    }

    @Test("deleting a list removes its held, digest and archive files with its rows", arguments: [Database.Dialect.sqlite])
    func deletion(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.lists.addMember("dept@example.org", address: "alice@example.net")
            try await f.lists.addMember("dept@example.org", address: "dig@example.net")
            try await f.lists.setMember(
                "dept@example.org", address: "dig@example.net", disabled: nil, moderation: nil, mode: .mimeDigest)
            try await f.post(Self.post("Kept", body: "archived and waiting for the digest"))
            try await f.post(Self.post("Held", body: "from a stranger", from: "eve@example.net"), from: "eve@example.net")
            try await f.drain()
            func files(_ folder: String) -> [String] {
                (try? FileManager.default.contentsOfDirectory(atPath: f.folder.path + "/" + folder)) ?? []
            }
            #expect(files("archive").count == 1 && files("digest").count == 1 && files("held").count == 1)
            try await f.transport.deleteList("dept@example.org")
            #expect(files("archive").isEmpty && files("digest").isEmpty && files("held").isEmpty)
            await #expect(throws: ListError.unknownList("dept@example.org")) { try await f.lists.list("dept@example.org") }
        }
    }
}
