import Core
import Testing

@testable import Lists

@Suite("List addresses: roles and VERP")
struct ListAddressTests {
    @Test("a recipient is tried as a posting address, then as each companion address")
    func candidates() throws {
        let post = ListAddress.candidates(try MailAddress(parsing: "Dept@example.org"))
        #expect(post == [ListAddress(listKey: "dept@example.org", role: .post)])
        let owner = ListAddress.candidates(try MailAddress(parsing: "dept-owner@example.org"))
        #expect(owner.map(\.listKey) == ["dept-owner@example.org", "dept@example.org"])
        #expect(owner.last?.role == .owner)
        for (local, role) in [
            ("dept-request", ListAddressRole.request), ("dept-join", .join), ("dept-leave", .leave),
            ("dept-confirm", .confirm(cookie: nil)), ("dept-bounces", .bounces(token: nil)),
            ("dept-confirm+abcdefghijklmnopqrstuvwx", .confirm(cookie: "abcdefghijklmnopqrstuvwx")),
            ("dept-bounces+Tok_en-1", .bounces(token: "tok_en-1")),
        ] {
            let found = ListAddress.candidates(try MailAddress(parsing: "\(local)@example.org"))
            #expect(found.last == ListAddress(listKey: "dept@example.org", role: role), "\(local)")
        }
        // A suffix alone names no list.
        #expect(ListAddress.candidates(try MailAddress(parsing: "-owner@example.org")).count == 1)
        #expect(ListAddress.candidates(try MailAddress(parsing: "-bounces+x@example.org")).count == 1)
    }

    @Test("VERP puts the member's token (lower case) in the bounce address, within 64 octets")
    func verp() throws {
        let list = try MailAddress(parsing: "dept@example.org")
        let encoded = VERP.encode(list: list, token: "AbC-d_9")
        #expect(encoded.description == "dept-bounces+abc-d_9@example.org")
        #expect(ListAddress.candidates(encoded).last?.role == .bounces(token: "abc-d_9"))
        // RFC 5321 §4.5.3.1.1: a local part of more than 64 octets is refused; the plain bounce
        // address is used instead (such bounces are not attributed).
        let long = try MailAddress(parsing: String(repeating: "l", count: 50) + "@example.org")
        let plain = VERP.encode(list: long, token: String(repeating: "t", count: 24))
        #expect(plain.localPart == String(repeating: "l", count: 50) + "-bounces")
    }

    @Test("RFC 2919 list identifiers keep dot-atom characters only")
    func listID() {
        #expect(ListIdentifier.make(localPart: "Dept", domain: "example.org") == "dept.example.org")
        #expect(ListIdentifier.make(localPart: "a.b\"c d", domain: "example.org") == "a.b-c-d.example.org")
    }
}
