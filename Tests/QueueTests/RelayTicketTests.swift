import Core
import Crypto
import Foundation
import PostaTestSupport
import Testing

@testable import Queue

@Suite("Queue: relay tickets through the external content filter, and header section edits")
struct RelayTicketTests {
    let key = SymmetricKey(size: .bits256)
    let now: Int64 = 1_800_000_000

    func value(_ field: String) -> String {
        String(field.dropFirst("X-Posta-Relay: ".count)).replacingOccurrences(of: "\r\n", with: "")
    }

    @Test("a ticket holds for its reverse-path and recipient (any case) until it expires")
    func valid() {
        let field = RelayTicket.field(key: key, reversePath: "alice@example.org", recipient: "dave@far.example", now: now)
        #expect(field.hasPrefix("X-Posta-Relay: \(now + RelayTicket.lifetime) dave@far.example ") && field.hasSuffix("\r\n"))
        let values = [value(field)]
        #expect(RelayTicket.isValid(values, key: key, reversePath: "Alice@example.org", recipient: "DAVE@far.example", now: now))
        #expect(
            RelayTicket.isValid(
                values, key: key, reversePath: "alice@example.org", recipient: "dave@far.example", now: now + RelayTicket.lifetime
            ))
        #expect(
            !RelayTicket.isValid(
                values, key: key, reversePath: "alice@example.org", recipient: "dave@far.example",
                now: now + RelayTicket.lifetime + 1))
    }

    @Test("another recipient, sender, key, expiry or MAC: no ticket")
    func invalid() {
        let field = value(RelayTicket.field(key: key, reversePath: "alice@example.org", recipient: "dave@far.example", now: now))
        let check = { (values: [String], sender: String, recipient: String, key: SymmetricKey) in
            RelayTicket.isValid(values, key: key, reversePath: sender, recipient: recipient, now: self.now)
        }
        #expect(!check([field], "alice@example.org", "eve@far.example", key))
        #expect(!check([field], "mallory@example.org", "dave@far.example", key))
        #expect(!check([field], "", "dave@far.example", key))
        #expect(!check([field], "alice@example.org", "dave@far.example", SymmetricKey(size: .bits256)))
        let parts = field.split(separator: " ")
        let later = "\(now + RelayTicket.lifetime + 100) \(parts[1]) \(parts[2])"
        #expect(!check([later], "alice@example.org", "eve@far.example", key))
        let forged = "\(parts[0]) eve@far.example \(parts[2])"
        #expect(!check([forged], "alice@example.org", "eve@far.example", key))
        #expect(!check(["\(parts[0]) \(parts[1]) AAAA", "garbage", ""], "alice@example.org", "dave@far.example", key))
        #expect(check(["garbage", field], "alice@example.org", "dave@far.example", key))
    }

    @Test("the key is made once and shared by every node of the site", arguments: TestDatabases.dialects)
    func sharedKey(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let other = MailQueue(
                database: f.queue.database, spoolDirectory: f.queue.spoolDirectory, nodeID: "n2", logger: f.logger)
            async let a = f.queue.relayTicketKey()
            async let b = other.relayTicketKey()
            let (first, second) = try await (a, b)
            #expect(first.withUnsafeBytes { Data($0) } == second.withUnsafeBytes { Data($0) })
            let fields = try await f.queue.relayTickets(reversePath: "a@example.org", recipients: ["x@far.example"])
            #expect(try await other.hasRelayTicket([value(fields)], reversePath: "a@example.org", recipient: "x@far.example"))
        }
    }

    @Test("header fields: folded values read whole, named fields dropped with their continuation lines")
    func headerSection() {
        let header = Array(
            "Received: from a\r\n\tby b\r\nX-Posta-Relay: 1 x@y\r\n  mac\r\nSubject: hi\r\nx-posta-relay: 2 z@y m\r\n".utf8)
        #expect(HeaderSection.values(header, named: "X-Posta-Relay") == ["1 x@y  mac", "2 z@y m"])
        let kept = HeaderSection.strip(header) { $0 == "x-posta-relay" }
        #expect(kept.map { String(decoding: $0, as: UTF8.self) } == "Received: from a\r\n\tby b\r\nSubject: hi\r\n")
        #expect(HeaderSection.strip(header) { $0 == "x-other" } == nil)
    }

    @Test("a spool copy without tickets keeps every other byte", arguments: [Database.Dialect.sqlite])
    func spoolCopy(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let spool = try f.queue.openSpoolFile()
            try spool.file.write(Array("Received: x\r\nX-Posta-Relay: 1 a@b c\r\nSubject: s\r\n\r\nX-Posta-Relay: body\r\n".utf8))
            let copy = try #require(try await f.queue.withoutRelayTickets(spool))
            #expect(
                String(decoding: try Array(contentsOf: copy.file.path), as: UTF8.self)
                    == "Received: x\r\nSubject: s\r\n\r\nX-Posta-Relay: body\r\n")
            #expect(copy.file.bytesWritten == Int64("Received: x\r\nSubject: s\r\n\r\nX-Posta-Relay: body\r\n".utf8.count))
            let plain = try f.queue.openSpoolFile()
            try plain.file.write(Array("Subject: s\r\n\r\nbody\r\n".utf8))
            #expect(try await f.queue.withoutRelayTickets(plain) == nil)
        }
    }
}
