import Core
import Testing

@testable import SMTP

@Suite("Session: relay and syntax tricks refused at RCPT before any effect")
struct RelayTrickTests {
    static let tricks: [String] = [
        "<@relay.example:user@victim.example>",  // source route (RFC 5321 Appendix C)
        "<@a.example,@b.example:user@example.org>",  // multi-hop source route
        "<@example.org:user@example.org>",  // source route through ourselves
        "<user%victim.example@example.org>",  // %-hack
        "<user%victim.example>",  // %-hack without domain
        "<victim.example!user@example.org>",  // bang path
        "<victim.example!user>",  // bare bang path
        "<\"user@victim.example\"@example.org>",  // quoted @
        "<\"user%victim.example\"@example.org>",  // quoted %
        "<\"victim!user\"@example.org>",  // quoted !
        "<user@[192.0.2.1]>",  // IPv4 literal
        "<user@[IPv6:2001:db8::1]>",  // IPv6 literal
        "<user@192.0.2.1>",  // IP address dressed as a domain
        "<user@victim.example@example.org>",  // two @
        "<user\\@victim.example@example.org>",  // escaped @ outside quotes
        "<>",  // empty forward-path
        "<user>",  // no domain (only Postmaster may omit it)
        "<user@>",  // empty domain
        "<@example.org>",  // empty local part
        "<user@example.org.>",  // trailing dot
        "<user.@example.org>",  // trailing dot in local part
        "<.user@example.org>",  // leading dot
        "<us..er@example.org>",  // double dot
        "<user@example..org>",  // empty label
        "<user@-example.org>",  // label starting with a hyphen
        "<user@exa_mple.org>",  // underscore in domain
        "<user@example.org",  // unbalanced bracket
        "user@example.org>",  // unbalanced bracket
        "<<user@example.org>>",  // nested brackets
        "<\"user@example.org>",  // unbalanced quote
        "<user@example.org>garbage",  // text glued after the path
        "<user name@example.org>",  // unquoted space
        "<(comment)user@example.org>",  // RFC 5322 comment
        "<user@example.org,other@victim.example>",  // address list
        "<victim.example:user@example.org>",  // colon in local part
        "<\"\"@example.org>",  // empty quoted local part
        "<us\u{1}er@example.org>",  // control character
        "<user@exa\u{7F}mple.org>",  // DEL
        "<user@example.org\t>",  // tab
        "<" + String(repeating: "a", count: 65) + "@example.org>",  // local part over 64 octets (§4.5.3.1.1)
        "<a@" + String(repeating: "b", count: 64) + ".example.org>",  // label over 63 octets
        "<a@" + String(repeating: "abcdefghi.", count: 26) + "org>",  // path over 256 octets (§4.5.3.1.3)
    ]

    @Test(arguments: tricks)
    func refused(path: String) {
        var d = SessionDriver(.test { $0.maxErrors = 1000 })
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n")
        let effects = d.effects.count
        let actions = d.send("RCPT TO:\(path)\r\n")
        #expect(actions.count == 1)
        #expect(actions.replies.first.map(\.isPermanentFailure) == true, "\(actions.statuses)")
        #expect(
            actions.statuses.allSatisfy { ["501 5.1.3", "550 5.7.1", "501 5.5.4", "500 5.5.2"].contains($0) },
            "\(actions.statuses)")
        #expect(d.effects.count == effects, "no effect may be emitted for \(path)")
        // The session is still usable.
        #expect(d.send("RCPT TO:<bob@example.org>\r\n").codes == [250])
    }

    @Test func atLeastTwentyFiveTricks() {
        #expect(Self.tricks.count >= 25)
    }

    @Test(arguments: ["RCPT TO:<user\u{0}@example.org>\r\n", "RCPT TO:<user@example.org\r>\r\n", "RCPT TO <bob@example.org>\r\n"])
    func lineLevelTricks(line: String) {
        var d = SessionDriver()
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n")
        let effects = d.effects.count
        #expect(d.send(line).replies.first?.isPermanentFailure == true)
        #expect(d.effects.count == effects)
    }

    @Test func refusalCodes() {
        var d = SessionDriver()
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n")
        #expect(d.send("RCPT TO:<@relay.example:u@victim.example>\r\n").statuses == ["550 5.7.1"])
        #expect(d.send("RCPT TO:<u%v@example.org>\r\n").statuses == ["550 5.7.1"])
        #expect(d.send("RCPT TO:<u@[127.0.0.1]>\r\n").statuses == ["550 5.7.1"])
        #expect(d.send("RCPT TO:<u>\r\n").statuses == ["501 5.1.3"])
        #expect(d.send("RCPT TO:<>\r\n").statuses == ["501 5.1.3"])
    }

    @Test func lenientForms() throws {
        var d = SessionDriver()
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\n")
        // One or more spaces after the colon, and no brackets, as lenient MTAs accept.
        #expect(
            d.send("RCPT TO: <bob@example.org>\r\nRCPT TO:carol@example.org\r\nrcpt to:  <Dave@EXAMPLE.org> \r\n").codes == [
                250, 250, 250,
            ])
        // RFC 5321 §4.5.1: <Postmaster> without a domain is the local postmaster.
        #expect(d.send("RCPT TO:<PostMaster>\r\n").codes == [250])
        guard case .checkRecipient(let request)? = d.effects.last else {
            Issue.record("no recipient check")
            return
        }
        #expect(request.recipient.address == MailAddress(localPart: "postmaster", domain: "mx.example.org"))
        #expect(d.send("RCPT TO:<\"john doe\"@example.org>\r\n").codes == [250])

        var e = SessionDriver(.test { $0.postmasterDomain = "example.org" })
        e.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<postmaster>\r\nDATA\r\nx\r\n.\r\n")
        #expect(e.messages.first?.envelope.recipients.first?.address.description == "postmaster@example.org")
    }

    @Test func senderSourceRouteIsIgnored() throws {
        var d = SessionDriver()
        d.send(
            openTransaction.replacingFirst("<alice@sender.example>", with: "<@hop.example:alice@sender.example>")
                + "DATA\r\nx\r\n.\r\n")
        #expect(try #require(d.messages.first).envelope.reversePath?.description == "alice@sender.example")
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
