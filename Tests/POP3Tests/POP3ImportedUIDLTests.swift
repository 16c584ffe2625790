import Testing

@testable import POP3

@Suite("POP3 UIDL of imported messages (RFC 1939 §7)")
struct POP3ImportedUIDLTests {
    @Test("a message imported with its old UIDL answers with it; the others with <uidvalidity>.<uid>")
    func importedUIDL() {
        var h = Harness()
        _ = h.send("USER alice@example.org\r\n")
        _ = h.send("PASS password-123\r\n")
        let drop = POP3Maildrop(
            mailboxID: 7, uidValidity: 1234,
            messages: [
                POP3Message(uid: 1, size: 10, path: "/m/1", importedUIDL: "000000016b14d849"),
                POP3Message(uid: 8, size: 20, path: "/m/8"),
            ])
        _ = h.session.resume(.loggedIn(drop))
        #expect(Harness.wire(h.send("UIDL\r\n")) == "+OK unique-id listing follows\r\n1 000000016b14d849\r\n2 1234.8\r\n.\r\n")
        #expect(Harness.wire(h.send("UIDL 1\r\n")) == "+OK 1 000000016b14d849\r\n")
    }
}
