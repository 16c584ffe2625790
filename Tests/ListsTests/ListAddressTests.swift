import Core
import Testing

@testable import Lists

@Suite("List addresses: roles and VERP")
struct ListAddressTests {
    @Test("a recipient is tried as a posting, -owner and -bounces address")
    func candidates() throws {
        let post = ListAddress.candidates(try MailAddress(parsing: "Dept@example.org"))
        #expect(post == [ListAddress(listKey: "dept@example.org", role: .post)])
        let owner = ListAddress.candidates(try MailAddress(parsing: "dept-owner@example.org"))
        #expect(owner.map(\.listKey) == ["dept-owner@example.org", "dept@example.org"])
        #expect(owner.last?.role == .owner)
        let bounce = ListAddress.candidates(try MailAddress(parsing: "dept-bounces+alice=example.net@example.org"))
        #expect(
            bounce.last
                == ListAddress(listKey: "dept@example.org", role: .bounces(member: try MailAddress(parsing: "alice@example.net")))
        )
        // "-owner" alone names no list.
        #expect(ListAddress.candidates(try MailAddress(parsing: "-owner@example.org")).count == 1)
    }

    @Test("VERP carries the member's address through the bounce address and back")
    func verp() throws {
        let list = try MailAddress(parsing: "dept@example.org")
        for member in ["alice@example.net", "bob+tag@sub.example.com", "o'neil@example.org"] {
            let encoded = VERP.encode(list: list, member: try MailAddress(parsing: member))
            #expect(encoded.domain == "example.org")
            let role = ListAddress.candidates(encoded).last?.role
            #expect(role == .bounces(member: try MailAddress(parsing: member.lowercased())))
        }
    }

    @Test("RFC 2919 list identifiers keep dot-atom characters only")
    func listID() {
        #expect(ListIdentifier.make(localPart: "Dept", domain: "example.org") == "dept.example.org")
        #expect(ListIdentifier.make(localPart: "a.b\"c d", domain: "example.org") == "a.b-c-d.example.org")
    }
}
