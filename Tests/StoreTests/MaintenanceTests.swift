import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Store maintenance and path safety on SQLite and PostgreSQL")
struct MaintenanceTests {
    /// Sets a file's modification time `seconds` into the past.
    static func age(_ path: String, by seconds: Int) {
        let then = time(nil) - seconds
        var times = [timeval(tv_sec: then, tv_usec: 0), timeval(tv_sec: then, tv_usec: 0)]
        _ = utimes(path, &times)
    }

    @Test("sweepOrphans removes old unindexed files in new/, cur/, tmp/ and keeps the rest", arguments: TestDatabases.dialects)
    func sweep(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let kept = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("keep\r\n".utf8))
            let keptSent = try await f.store.append(
                accountID: alice.id, mailbox: "Sent", data: Array("keep\r\n".utf8), flags: ["\\Seen"])
            let base = f.root + "/example.org/alice"
            let oldOrphans = [
                base + "/new/1.M1P1Q1.crashed,S=3", base + "/.Sent/cur/1.M1P1Q2.crashed,S=3:2,S", base + "/tmp/1.M1P1Q3.crashed",
                base + "/.Junk/tmp/1.M1P1Q4.crashed",
            ]
            let freshOrphan = base + "/new/2.M1P1Q5.inflight,S=3"
            for path in oldOrphans + [freshOrphan] {
                #expect(FileManager.default.createFile(atPath: path, contents: Data("abc".utf8)))
            }
            for path in oldOrphans { Self.age(path, by: 7200) }
            for message in try await f.store.messages(mailboxID: kept.mailboxID) + f.store.messages(mailboxID: keptSent.mailboxID)
            {
                Self.age(message.path, by: 7200)
            }

            #expect(try await f.store.sweepOrphans(olderThan: .seconds(3600)) == oldOrphans.count)
            for path in oldOrphans { #expect(!StoreFixture.exists(path)) }
            #expect(StoreFixture.exists(freshOrphan))
            for message in try await f.store.messages(mailboxID: kept.mailboxID) + f.store.messages(mailboxID: keptSent.mailboxID)
            {
                #expect(try StoreFixture.read(message.path) == Array("keep\r\n".utf8))
            }
            #expect(try await f.store.sweepOrphans(olderThan: .seconds(3600), accountID: alice.id) == 0)
        }
    }

    /// A COPY hard-links an old message under a fresh name and commits its row afterwards: the link has
    /// the old file's mtime, but it is not an orphan yet and must survive a sweep in between.
    @Test("sweepOrphans leaves a file a COPY just linked, whatever its mtime", arguments: TestDatabases.dialects)
    func sweepSparesFreshLinks(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let stored = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("old\r\n".utf8))
            let source = try #require(try await f.store.messages(mailboxID: stored.mailboxID).first).path
            Self.age(source, by: 7200)
            let base = f.root + "/example.org/alice"
            // What `CopyPlan.makeLinks` does before the index transaction.
            let linked = base + "/.Trash/cur/\(time(nil)).M1P1Q7.node1,S=5:2,"
            #expect(link(source, linked) == 0)
            // An orphan left by a crashed COPY long ago: old name, old mtime.
            let stale = base + "/.Trash/cur/\(time(nil) - 7200).M1P1Q8.node1,S=5:2,"
            #expect(link(source, stale) == 0)

            #expect(try await f.store.sweepOrphans(olderThan: .seconds(3600)) == 1)
            #expect(StoreFixture.exists(linked))
            #expect(!StoreFixture.exists(stale))
            #expect(StoreFixture.exists(source))
        }
    }

    @Test("local parts and domains cannot escape the mail root", arguments: TestDatabases.dialects)
    func pathSafety(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            // A real account with a quoted local part the address parser accepts.
            let dotted = try await f.account("\"../x\"@example.org")
            let inbox = try #require(try await f.store.mailbox(accountID: dotted.id, name: "INBOX"))
            let result = try await f.store.append(accountID: dotted.id, mailbox: "INBOX", data: Array("x\r\n".utf8))
            let path = try #require(try await f.store.messages(mailboxID: inbox.id).first?.path)
            #expect(path.hasPrefix(f.root + "/example.org/%22..%2Fx%22/new/"))
            #expect(result.uid == 1)
            #expect(StoreFixture.entries(f.root) == ["example.org"])
            #expect(StoreFixture.entries(f.root + "/example.org") == ["%22..%2Fx%22"])
        }
        // Records built directly, bypassing the address parser.
        let nasty: [(String, String)] = [
            ("..@example.org", "example.org/%2E."),
            ("../../etc/passwd@example.org", "example.org/%2E.%2F..%2Fetc%2Fpasswd"),
            (".hidden@example.org", "example.org/%2Ehidden"),
            ("a/b@example.org", "example.org/a%2Fb"),
            ("A\u{0}B\n@Example.ORG", "example.org/a%00b%0A"),
            ("x@..", "%2E./x"),
            ("x@../../tmp", "%2E.%2F..%2Ftmp/x"),
            ("Ünï%@example.org", "example.org/%C3%BCn%C3%AF%25"),
            ("\"a@b\"@example.org", "example.org/%22a%40b%22"),
        ]
        for (address, expected) in nasty {
            let encoded = try MaildirPath.accountDirectory(address: address)
            #expect(encoded == expected, "\(address)")
            #expect(MaildirPath.isContained(encoded))
            #expect(encoded.split(separator: "/").count == 2)
            #expect(encoded.split(separator: "/").allSatisfy { !$0.hasPrefix(".") })
        }
        #expect(throws: StoreError.invalidAddress("@example.org")) { try MaildirPath.accountDirectory(address: "@example.org") }
        #expect(throws: StoreError.invalidAddress("nobody")) { try MaildirPath.accountDirectory(address: "nobody") }
    }

    @Test("provisioning a directly built account record stays under the root", arguments: TestDatabases.dialects)
    func directRecord(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            // The account row exists (mailbox rows reference it); the record's address is hostile.
            let real = try await f.directory.addAccount("victim@example.org", password: f.password)
            let json = """
                {"id": \(real.id), "address": "../../../x@..", "display_name": "", "password": "", "quota_bytes": 0,
                 "enabled": true, "created_at": 0}
                """
            let hostile = try JSONDecoder().decode(Account.self, from: Data(json.utf8))
            try await f.store.provision(account: hostile)
            #expect(StoreFixture.entries(f.root) == ["%2E."])
            #expect(StoreFixture.entries(f.root + "/%2E.") == ["%2E.%2F..%2F..%2Fx"])
            #expect(StoreFixture.entries(f.root + "/%2E./%2E.%2F..%2F..%2Fx").contains("cur"))
            try await f.store.deprovision(accountID: hostile.id)
            #expect(StoreFixture.entries(f.root + "/%2E.").isEmpty)
        }
    }

    @Test("deprovision removes rows and files, before or after the account is deleted", arguments: TestDatabases.dialects)
    func deprovision(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("a\r\n".utf8), deliveryKey: "k/1")
            try await f.store.append(accountID: bob.id, mailbox: "INBOX", data: Array("b\r\n".utf8))
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            let changes = f.store.notifier.changes(mailboxID: inbox.id)

            try await f.store.deprovision(accountID: alice.id)
            var iterator = changes.makeAsyncIterator()
            let next1: Void? = await iterator.next()
            #expect(next1 != nil)
            #expect(!StoreFixture.exists(f.root + "/example.org/alice"))
            #expect(try await f.store.mailboxes(accountID: alice.id).isEmpty)
            #expect(try await f.store.messages(mailboxID: inbox.id).isEmpty)
            await #expect(throws: StoreError.notProvisioned(alice.id)) { try await f.store.usage(accountID: alice.id) }
            try await f.store.deprovision(accountID: alice.id)  // idempotent

            // Bob's account row goes first (the CLI's order may differ); his files still go.
            try await f.directory.deleteAccount("bob@example.org")
            #expect(try await f.store.mailboxes(accountID: bob.id).isEmpty)
            #expect(StoreFixture.exists(f.root + "/example.org/bob/new"))
            try await f.store.deprovision(accountID: bob.id)
            #expect(StoreFixture.entries(f.root + "/example.org").isEmpty)

            // Re-creating the address gets a fresh store; the old delivery key is gone with it.
            try await f.directory.deleteAccount("alice@example.org")
            let again = try await f.account("alice@example.org")
            let result = try await f.store.append(
                accountID: again.id, mailbox: "INBOX", data: Array("a\r\n".utf8), deliveryKey: "k/1")
            #expect(result.uid == 1)
        }
    }

    @Test(
        "a deleted account's leftover maildir is cleared when its address is provisioned again", arguments: TestDatabases.dialects
    )
    func staleMaildir(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let old = try await f.account("dave@example.org")
            try await f.store.append(accountID: old.id, mailbox: "INBOX", data: Array("old\r\n".utf8))
            try await f.directory.deleteAccount("dave@example.org")
            let new = try await f.account("Dave@example.org")
            #expect(new.id != old.id)
            #expect(StoreFixture.entries(f.root + "/example.org/dave/new").isEmpty)
            #expect(try await f.store.usage(accountID: new.id) == 0)
        }
    }
}
