import Testing

@testable import MIME

/// Hostile header forms for the submission sender check: each either yields every sender address any
/// reader could show (the forged one included, so the check sees it) or is refused as a whole.
private let eve = "eve@evil.example"
private let alice = "alice@example.org"
/// About 80 KiB of fields: under the 100 KiB header limit once, over it twice.
private let filler = String(repeating: "X-Filler: \(String(repeating: "a", count: 70))\r\n", count: 1_000)

@Suite("Sender fields read strictly (RFC 5322 §3.6.2, §4.5.3)")
struct SenderAddressesTests {
    private func senders(_ header: String) throws(HeaderDefect) -> [String] {
        try Header.senderAddresses(inMessagePrefix: Array((header + "\r\nbody\r\n").utf8)).map(\.address)
    }

    /// Forms every reader accepts: the check sees all of their addresses.
    @Test(
        arguments: [
            ("plain", "From: Alice <alice@example.org>\r\n", [alice]),
            ("obsolete space before the colon (§4.5.3)", "From : eve@evil.example\r\n", [eve]),
            ("tab before the colon", "From\t: eve@evil.example\r\n", [eve]),
            ("name case", "fROM: eve@evil.example\r\n", [eve]),
            ("folded", "From: =?utf-8?q?Alice?= <alice@example.org>,\r\n\teve@evil.example\r\n", [alice, eve]),
            ("folded before the address", "From: Alice\r\n <eve@evil.example>\r\n", [eve]),
            ("two From: fields", "From: alice@example.org\r\nFrom: eve@evil.example\r\n", [alice, eve]),
            ("Sender:", "From: alice@example.org\r\nSender: eve@evil.example\r\n", [alice, eve]),
            ("Resent-From:", "From: alice@example.org\r\nResent-From: eve@evil.example\r\n", [alice, eve]),
            ("Resent-Sender:", "From: alice@example.org\r\nResent-Sender: eve@evil.example\r\n", [alice, eve]),
            ("group", "From: friends: alice@example.org, eve@evil.example;\r\n", [alice, eve]),
            ("source route", "From: <@relay.example:eve@evil.example>\r\n", [eve]),
            ("comment is not an address", "From: alice@example.org (Alice <eve@evil.example>)\r\n", [alice]),
            ("quoted display name", "From: \"eve@evil.example\" <alice@example.org>\r\n", [alice]),
            ("quoted local part", "From: \"a b\"@example.org\r\n", ["\"a b\"@example.org"]),
            ("after 70 KiB of other fields", filler + "From: eve@evil.example\r\n", [eve]),
            ("encoded display name", "From: =?utf-8?q?M=C3=BCller=2C_Hans?= <alice@example.org>\r\n", [alice]),
            ("UTF-8 (RFC 6532)", "From: Jörg <jörg@example.org>\r\n", ["jörg@example.org"]),
            ("in the body only", "Subject: x\r\n\r\nFrom: eve@evil.example\r\n", []),
            ("raw ISO-2022-JP in Subject:", "Subject: \u{1B}$B$3$s$K$A$O\u{1B}(B\r\nFrom: alice@example.org\r\n", [alice]),
        ])
    func readable(name: String, header: String, expected: [String]) throws {
        #expect(try senders(header) == expected, "\(name)")
    }

    /// Forms readers disagree on: refused whole.
    @Test(
        arguments: [
            ("bare LF", "Subject: x\nFrom: eve@evil.example\r\nFrom: alice@example.org\r\n"),
            ("bare LF ending the From: line", "From: alice@example.org\nFrom: eve@evil.example\r\n"),
            ("bare CR", "Subject: x\rFrom: eve@evil.example\r\nFrom: alice@example.org\r\n"),
            ("NUL", "From: alice@example.org\u{0}eve@evil.example\r\n"),
            ("NUL elsewhere", "Subject: a\u{0}\r\nFrom: alice@example.org\r\n"),
            ("other control character in From:", "From: alice@example.org\u{1B}\r\n"),
            ("backspace in a display name", "From: eve\u{8}\u{8}\u{8} <alice@example.org>\r\n"),
            ("DEL in Sender:", "Sender: alice@example.org\u{7F}\r\n"),
            ("line without a colon", "Subject: x\r\nFrom eve@evil.example\r\n"),
            ("space inside the name", "Fr om: eve@evil.example\r\n"),
            ("8-bit name", "Fröm: eve@evil.example\r\n"),
            ("empty name", ": eve@evil.example\r\n"),
            ("header starts folded", " From: eve@evil.example\r\nFrom: alice@example.org\r\n"),
            ("whitespace-only line", "From: alice@example.org\r\n \r\nFrom: eve@evil.example\r\n"),
            ("larger than the limit", filler + filler + "From: alice@example.org\r\n"),
            ("two angle addresses", "From: <alice@example.org> <eve@evil.example>\r\n"),
            ("address as display name", "From: alice@example.org <eve@evil.example>\r\n"),
            ("words without dots", "From: Alice alice@example.org\r\n"),
            ("two @", "From: alice@example.org@evil.example\r\n"),
            ("unterminated quote", "From: \"alice@example.org\r\n"),
            ("unterminated comment", "From: alice@example.org (eve@evil.example\r\n"),
            ("unterminated angle", "From: <alice@example.org\r\n"),
            ("stray parenthesis", "From: alice@example.org) eve@evil.example\r\n"),
            ("stray backslash", "From: alice\\@example.org\r\n"),
            ("semicolon outside a group", "From: alice@example.org; eve@evil.example\r\n"),
            ("unterminated group", "From: friends: alice@example.org, eve@evil.example\r\n"),
            ("address as group name", "From: eve@evil.example friends: alice@example.org;\r\n"),
            ("nested group", "From: a: b: eve@evil.example;;\r\n"),
            ("colon inside an angle address", "From: <eve@evil.example:alice@example.org>\r\n"),
            ("comma inside an angle address", "From: <alice@example.org,eve@evil.example>\r\n"),
            ("empty From:", "From: \r\n"),
            ("group without members", "From: undisclosed-recipients:;\r\n"),
            ("encoded addr-spec", "From: =?utf-8?q?eve?=@evil.example\r\n"),
            ("encoded angle address", "From: =?utf-8?q?=3Ceve=40evil.example=3E?= <alice@example.org>\r\n"),
        ])
    func refused(name: String, header: String) {
        let bytes = Array((header + "\r\nbody\r\n").utf8)
        #expect(throws: HeaderDefect.self, "\(name)") { try Header.senderAddresses(inMessagePrefix: bytes) }
    }

    @Test func eightBitGarbageInAnAddressField() {
        let bytes = Array("From: ".utf8) + [0xE9] + Array(" <alice@example.org>\r\n\r\n".utf8)
        #expect(throws: HeaderDefect.invalidUTF8(field: "From")) { try Header.senderAddresses(inMessagePrefix: bytes) }
    }

    @Test func specificDefects() {
        #expect(throws: HeaderDefect.bareLineFeed(line: 1)) { try senders("Subject: x\nFrom: a@b.example\r\n") }
        #expect(throws: HeaderDefect.notAField(line: 2)) { try senders("Subject: x\r\nFrom a@b.example\r\n") }
        #expect(throws: HeaderDefect.tooLarge(limit: 102_400)) { try senders(filler + filler) }
        #expect(throws: HeaderDefect.malformedAddressList(field: "From")) { try senders("From: a b@c.example\r\n") }
    }

    /// A prefix cut inside the header (the caller reads `maxHeaderBytes + 1` bytes) is too large, never a
    /// complete header; a short message read whole is fine.
    @Test func prefixesAndLimits() throws {
        let limits = MIMEParseLimits(maxHeaderBytes: 64)
        let long = Array(("From: alice@example.org\r\nSubject: " + String(repeating: "s", count: 100) + "\r\n\r\n").utf8)
        #expect(throws: HeaderDefect.tooLarge(limit: 64)) {
            try Header.senderAddresses(inMessagePrefix: Array(long.prefix(65)), limits: limits)
        }
        let short = Array("From: alice@example.org\r\n\r\nbody".utf8)
        #expect(try Header.senderAddresses(inMessagePrefix: short, limits: limits).map(\.address) == [alice])
        let headerOnly = Array("From: alice@example.org\r\n".utf8)
        #expect(try Header.senderAddresses(inMessagePrefix: headerOnly, limits: limits).map(\.address) == [alice])
    }

    /// The strict reading agrees with the lenient parser that IMAP ENVELOPE uses, on clean headers.
    @Test func agreesWithTheEnvelope() throws {
        let text = "From: \"Smith, A\" <alice@example.org>, b@example.org (Bee)\r\nSender: c@example.org\r\n\r\n"
        let message = MIMEMessage(Array(text.utf8))
        let strict = try Header.senderAddresses(inMessagePrefix: Array(text.utf8)).map(\.address)
        let lenient = (message.envelope.from ?? []) + (message.envelope.sender ?? [])
        #expect(strict == lenient.compactMap(\.addressSpec))
    }
}
