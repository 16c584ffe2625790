import Connection
import Testing

@testable import POP3

@Suite("POP3 session: AUTHORIZATION (RFC 1939 §4, §7; RFC 2595; RFC 5034)")
struct POP3AuthorizationTests {
    @Test("greeting is +OK")
    func greeting() {
        var session = POP3Session(
            configuration: POP3Configuration(hostname: "pop.example.org", stlsAvailable: true), isTLS: false)
        #expect(Harness.wire(session.start()) == "+OK pop.example.org Posta POP3 server ready\r\n")
    }

    @Test("USER/PASS asks for a login effect; success enters TRANSACTION")
    func userPass() {
        var h = Harness()
        #expect(Harness.wire(h.send("user alice@example.org\r\n")) == "+OK send PASS\r\n")
        #expect(
            h.send("PASS secret with spaces\r\n") == [
                .effect(.login(user: "alice@example.org", password: "secret with spaces", mechanism: "USER"))
            ])
        #expect(Harness.wire(h.session.resume(.loggedIn(Harness.drop))) == "+OK maildrop has 3 messages (4350 octets)\r\n")
        #expect(h.session.isInTransaction)
    }

    @Test("PASS without USER, commands before login, unknown and APOP are refused")
    func stateErrors() {
        var h = Harness()
        #expect(Harness.wire(h.send("PASS x\r\n")) == "-ERR USER first\r\n")
        #expect(Harness.wire(h.send("STAT\r\n")) == "-ERR command not valid before login\r\n")
        #expect(Harness.wire(h.send("RETR 1\r\n")) == "-ERR command not valid before login\r\n")
        #expect(Harness.wire(h.send("XYZZY\r\n")) == "-ERR unknown command\r\n")
        #expect(Harness.wire(h.send("APOP a b\r\n")) == "-ERR APOP not supported\r\n")
        #expect(Harness.wire(h.send("USER\r\n")) == "-ERR USER needs one argument\r\n")
    }

    @Test(
        "failed logins map to RFC 3206 codes and forget the USER",
        arguments: [
            (POP3LoginFailure.invalidCredentials, "-ERR [AUTH] invalid credentials\r\n"),
            (.throttled, "-ERR [SYS/TEMP] too many failed logins, try later\r\n"),
            (.inUse, "-ERR [IN-USE] maildrop already locked by another session\r\n"),
            (.temporary, "-ERR [SYS/TEMP] temporary failure, try later\r\n"),
        ])
    func failures(failure: POP3LoginFailure, wire: String) {
        var h = Harness()
        _ = h.send("USER a@example.org\r\nPASS p\r\n")
        #expect(Harness.wire(h.session.resume(.loginFailed(failure))) == wire)
        #expect(!h.session.isInTransaction)
        #expect(Harness.wire(h.send("PASS p\r\n")) == "-ERR USER first\r\n")
    }

    @Test("without TLS: no USER/SASL in CAPA, logins refused with [SYS/PERM]; STLS offered")
    func tlsRequired() {
        var h = Harness(tls: false)
        let capa = Harness.wire(h.send("CAPA\r\n"))
        #expect(capa.contains("STLS\r\n") && !capa.contains("USER\r\n") && !capa.contains("SASL"))
        #expect(Harness.wire(h.send("USER alice\r\n")) == "-ERR [SYS/PERM] TLS required: use STLS first\r\n")
        #expect(Harness.wire(h.send("PASS x\r\n")) == "-ERR [SYS/PERM] TLS required: use STLS first\r\n")
        #expect(Harness.wire(h.send("AUTH PLAIN AGEAYg==\r\n")) == "-ERR [SYS/PERM] TLS required: use STLS first\r\n")
        #expect(Harness.wire(h.send("AUTH\r\n")) == "+OK mechanisms follow\r\n.\r\n")
    }

    @Test("plaintext allowed by configuration")
    func plaintextAllowed() {
        var h = Harness(tls: false, stls: false, plaintext: true)
        let capa = Harness.wire(h.send("CAPA\r\n"))
        #expect(capa.contains("USER\r\n") && capa.contains("SASL PLAIN\r\n") && !capa.contains("STLS"))
        #expect(Harness.wire(h.send("STLS\r\n")) == "-ERR STLS not available\r\n")
        #expect(Harness.wire(h.send("USER a\r\n")) == "+OK send PASS\r\n")
    }

    @Test("CAPA lists RFC 2449 capabilities")
    func capa() {
        var h = Harness()
        #expect(
            Harness.wire(h.send("CAPA\r\n"))
                == "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nUSER\r\nSASL PLAIN\r\nIMPLEMENTATION Posta\r\n.\r\n"
        )
        var t = Harness.loggedIn()
        #expect(
            Harness.wire(t.send("CAPA\r\n"))
                == "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nIMPLEMENTATION Posta\r\n.\r\n"
        )
    }

    @Test("STLS discards pipelined bytes (command injection); after the handshake logins work and STLS is gone")
    func stlsInjection() {
        var h = Harness(tls: false)
        let actions = h.send("STLS\r\nUSER evil\r\nPASS injected\r\n")
        #expect(Harness.wire(actions) == "+OK begin TLS negotiation\r\n<starttls>")
        #expect(h.send("CAPA\r\n").isEmpty)  // plaintext before the handshake: discarded
        #expect(h.session.tlsEstablished().isEmpty)
        #expect(Harness.wire(h.send("PASS x\r\n")) == "-ERR USER first\r\n")
        #expect(!Harness.wire(h.send("CAPA\r\n")).contains("STLS"))
        #expect(Harness.wire(h.send("STLS\r\n")) == "-ERR already using TLS\r\n")
        #expect(Harness.wire(h.send("USER a\r\n")) == "+OK send PASS\r\n")
    }

    @Test("STLS not valid in TRANSACTION")
    func stlsInTransaction() {
        var h = Harness.loggedIn()
        #expect(Harness.wire(h.send("STLS\r\n")) == "-ERR command not valid in TRANSACTION state\r\n")
        #expect(Harness.wire(h.send("USER x\r\n")) == "-ERR command not valid in TRANSACTION state\r\n")
    }

    @Test("AUTH PLAIN with initial response")
    func authPlainInitial() {
        var h = Harness()
        let ir = SASLBase64.encode(Array("\u{0}alice@example.org\u{0}pw 1".utf8))
        #expect(
            h.send("AUTH PLAIN \(ir)\r\n") == [.effect(.login(user: "alice@example.org", password: "pw 1", mechanism: "PLAIN"))])
    }

    @Test("AUTH PLAIN with a continuation; authzid equal to authcid accepted")
    func authPlainContinuation() {
        var h = Harness()
        #expect(Harness.wire(h.send("auth plain\r\n")) == "+ \r\n")
        let response = SASLBase64.encode(Array("Alice@example.org\u{0}alice@example.org\u{0}pw".utf8))
        #expect(h.send("\(response)\r\n") == [.effect(.login(user: "alice@example.org", password: "pw", mechanism: "PLAIN"))])
    }

    @Test("AUTH cancel, bad base64, malformed PLAIN, other authzid, '=' empty, unknown mechanism")
    func authErrors() {
        var h = Harness()
        _ = h.send("AUTH PLAIN\r\n")
        #expect(Harness.wire(h.send("*\r\n")) == "-ERR authentication cancelled\r\n")
        _ = h.send("AUTH PLAIN\r\n")
        #expect(Harness.wire(h.send("not*base64\r\n")) == "-ERR invalid base64\r\n")
        #expect(
            Harness.wire(h.send("AUTH PLAIN \(SASLBase64.encode(Array("alice\u{0}pw".utf8)))\r\n"))
                == "-ERR [AUTH] malformed PLAIN credentials\r\n")
        #expect(
            Harness.wire(h.send("AUTH PLAIN \(SASLBase64.encode(Array("bob\u{0}alice\u{0}pw".utf8)))\r\n"))
                == "-ERR [AUTH] authorization identity not permitted\r\n")
        #expect(Harness.wire(h.send("AUTH PLAIN =\r\n")) == "-ERR [AUTH] malformed PLAIN credentials\r\n")
        #expect(Harness.wire(h.send("AUTH CRAM-MD5\r\n")) == "-ERR unsupported SASL mechanism\r\n")
        #expect(Harness.wire(h.send("AUTH\r\n")) == "+OK mechanisms follow\r\nPLAIN\r\n.\r\n")
    }

    @Test("QUIT in AUTHORIZATION closes without UPDATE")
    func quitEarly() {
        var h = Harness()
        #expect(Harness.wire(h.send("QUIT\r\n")) == "+OK pop.example.org POP3 server signing off\r\n<close>")
        #expect(h.session.isClosed)
        #expect(h.send("USER a\r\n").isEmpty)
    }

    @Test("over-long lines: command refused, unterminated line closes")
    func longLines() {
        var h = Harness()
        #expect(Harness.wire(h.send("USER " + String(repeating: "a", count: 2000) + "\r\n")) == "-ERR command line too long\r\n")
        #expect(Harness.wire(h.send(String(repeating: "a", count: 9000))) == "-ERR line too long\r\n<close>")
    }
}

@Suite("POP3 session: TRANSACTION and UPDATE (RFC 1939 §5-§7)")
struct POP3TransactionTests {
    @Test("STAT, LIST, UIDL")
    func listings() {
        var h = Harness.loggedIn()
        #expect(Harness.wire(h.send("STAT\r\n")) == "+OK 3 4350\r\n")
        #expect(Harness.wire(h.send("LIST\r\n")) == "+OK 3 messages (4350 octets)\r\n1 100\r\n2 250\r\n3 4000\r\n.\r\n")
        #expect(Harness.wire(h.send("LIST 2\r\n")) == "+OK 2 250\r\n")
        #expect(Harness.wire(h.send("LIST 4\r\n")) == "-ERR no such message\r\n")
        #expect(Harness.wire(h.send("LIST 0\r\n")) == "-ERR message numbers start at 1\r\n")
        #expect(Harness.wire(h.send("LIST x\r\n")) == "-ERR invalid number x\r\n")
        #expect(Harness.wire(h.send("UIDL\r\n")) == "+OK unique-id listing follows\r\n1 1234.3\r\n2 1234.9\r\n3 1234.12\r\n.\r\n")
        #expect(Harness.wire(h.send("UIDL 3\r\n")) == "+OK 3 1234.12\r\n")
        #expect(Harness.wire(h.send("NOOP\r\n")) == "+OK\r\n")
    }

    @Test("RETR and TOP ask the adapter to stream; results resume the session")
    func retrTop() {
        var h = Harness.loggedIn()
        let retr = h.send("RETR 2\r\nSTAT\r\n")
        #expect(
            retr == [
                .effect(
                    .sendMessage(
                        POP3Transfer(number: 2, message: Harness.drop.messages[1], bodyLineLimit: nil, status: .ok("250 octets")))
                )
            ])
        // STAT was pipelined: it runs after the transfer completes.
        #expect(Harness.wire(h.session.resume(.sent)) == "+OK 3 4350\r\n")
        let top = h.send("TOP 3 0\r\n")
        #expect(
            top == [
                .effect(
                    .sendMessage(
                        POP3Transfer(
                            number: 3, message: Harness.drop.messages[2], bodyLineLimit: 0, status: .ok("top of message follows"))
                    ))
            ])
        #expect(Harness.wire(h.session.resume(.unavailable)) == "-ERR [SYS/TEMP] message unavailable, try later\r\n")
        #expect(Harness.wire(h.send("TOP 1\r\n")) == "-ERR TOP needs a message number and a line count\r\n")
        #expect(Harness.wire(h.send("RETR 9\r\n")) == "-ERR no such message\r\n")
    }

    @Test("DELE hides messages; RSET undoes; QUIT applies in UPDATE")
    func deleRsetQuit() {
        var h = Harness.loggedIn()
        #expect(Harness.wire(h.send("DELE 1\r\n")) == "+OK message 1 deleted\r\n")
        #expect(Harness.wire(h.send("DELE 1\r\n")) == "-ERR message 1 already deleted\r\n")
        #expect(Harness.wire(h.send("RETR 1\r\n")) == "-ERR message 1 already deleted\r\n")
        #expect(Harness.wire(h.send("STAT\r\n")) == "+OK 2 4250\r\n")
        #expect(Harness.wire(h.send("LIST\r\n")) == "+OK 2 messages (4250 octets)\r\n2 250\r\n3 4000\r\n.\r\n")
        #expect(Harness.wire(h.send("RSET\r\n")) == "+OK maildrop has 3 messages (4350 octets)\r\n")
        #expect(Harness.wire(h.send("STAT\r\n")) == "+OK 3 4350\r\n")
        _ = h.send("DELE 3\r\nDELE 1\r\n")
        #expect(h.send("QUIT\r\n") == [.effect(.update(mailboxID: 7, uids: [3, 12]))])
        #expect(
            Harness.wire(h.session.resume(.updated(complete: true)))
                == "+OK pop.example.org POP3 server signing off (1 messages left)\r\n<close>")
        #expect(h.session.isClosed)
    }

    @Test("QUIT without deletions closes directly; failed UPDATE says so")
    func quitVariants() {
        var h = Harness.loggedIn()
        #expect(Harness.wire(h.send("QUIT\r\n")) == "+OK pop.example.org POP3 server signing off (3 messages left)\r\n<close>")
        var f = Harness.loggedIn()
        _ = f.send("DELE 2\r\nQUIT\r\n")
        #expect(
            Harness.wire(f.session.resume(.updated(complete: false)))
                == "-ERR [SYS/TEMP] some deleted messages not removed\r\n<close>")
    }

    @Test("timeout closes silently without UPDATE; shutdown says SYS/TEMP")
    func timeoutShutdown() {
        var h = Harness.loggedIn()
        _ = h.send("DELE 1\r\n")
        #expect(h.session.timeout() == [.close])
        #expect(h.session.isClosed)
        var s = Harness.loggedIn()
        _ = s.send("DELE 1\r\n")
        #expect(Harness.wire(s.session.shutdown()) == "-ERR [SYS/TEMP] server shutting down\r\n<close>")
        // Shutdown during a transfer waits for it.
        var w = Harness.loggedIn()
        _ = w.send("RETR 1\r\n")
        #expect(w.session.shutdown().isEmpty)
        #expect(Harness.wire(w.session.resume(.sent)) == "-ERR [SYS/TEMP] server shutting down\r\n<close>")
    }

    @Test("feeding a conversation byte by byte gives the same actions as in one piece")
    func splitFeeding() {
        let script = "CAPA\r\nUSER alice@example.org\r\nPASS pw\r\n"
        let after = "STAT\r\nLIST\r\nUIDL 2\r\nDELE 2\r\nNOOP\r\nRSET\r\nbogus\r\nTOP 1 5\n"
        func run(_ chunks: [[UInt8]], _ after: [[UInt8]]) -> [POP3Action] {
            var h = Harness()
            var out: [POP3Action] = []
            for chunk in chunks { out += h.session.receive(chunk) }
            out += h.session.resume(.loggedIn(Harness.drop))
            for chunk in after { out += h.session.receive(chunk) }
            return out
        }
        let whole = run([Array(script.utf8)], [Array(after.utf8)])
        let bytes = run(Array(script.utf8).map { [$0] }, Array(after.utf8).map { [$0] })
        #expect(whole == bytes)
        #expect(
            Harness.wire(whole).hasSuffix(
                "-ERR unknown command\r\n<effect sendMessage(POP3.POP3Transfer(number: 1, message: POP3.POP3Message(uid: 3, size: 100, path: \"/m/3\", importedUIDL: nil), bodyLineLimit: Optional(5), status: POP3.POP3Response(ok: true, code: nil, text: \"top of message follows\", lines: nil)))>"
            ))
    }
}
