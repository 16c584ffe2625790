import Testing

@testable import ManageSieve

@Suite("ManageSieve: limits")
struct ManageSieveLimitTests {
    @Test("a literal over the largest script is NO (QUOTA/MAXSIZE); its octets are skipped, not kept")
    func literalTooLarge() {
        var h = Harness.loggedIn(maxScriptSize: 100)
        let big = String(repeating: "x", count: 5000)
        var out = h.send("PUTSCRIPT \"big\" {5000+}\r\n")
        #expect(out == "NO (QUOTA/MAXSIZE) \"Literal of 5000 octets exceeds the 100 octet limit\"\r\n")
        out = h.send(big + "\r\nLISTSCRIPTS\r\n")
        #expect(out == "OK \"Listscripts completed\"\r\n")
        #expect(h.session.framer.bufferedByteCount == 0)
        #expect(h.scripts.scripts.isEmpty)
    }

    @Test("before login a literal is at most a line's length: a larger one ends the connection")
    func literalBeforeLogin() {
        var h = Harness()
        #expect(h.send("AUTHENTICATE \"PLAIN\" {100000+}\r\n") == "BYE \"Literal too large\"\r\n<close>")
    }

    @Test("a line over 8 KiB ends the connection without being kept")
    func lineTooLong() {
        var h = Harness.loggedIn()
        let out = h.send("NOOP \"" + String(repeating: "a", count: 9000))
        #expect(out == "BYE \"Line too long\"\r\n<close>")
        #expect(h.session.framer.bufferedByteCount == 0)
    }

    @Test("a quoted string is at most 1024 octets (RFC 5804 §4)")
    func quotedLength() {
        var h = Harness.loggedIn()
        #expect(
            h.send("NOOP \"" + String(repeating: "a", count: 1025) + "\"\r\n")
                == "NO \"quoted string too long; use a literal\"\r\n")
    }

    @Test("commands before login are capped: BYE and close")
    func capBeforeLogin() {
        var h = Harness(maxCommandsBeforeLogin: 3)
        #expect(
            h.send("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n")
                == "OK \"Done\"\r\nOK \"Done\"\r\nOK \"Done\"\r\nBYE \"Too many commands before login, closing connection\"\r\n<close>"
        )
    }

    @Test("a script that is not UTF-8 is refused before the store sees it")
    func notUTF8() {
        var h = Harness.loggedIn()
        #expect(
            h.send(Array("PUTSCRIPT \"x\" {2+}\r\n".utf8) + [0xC3, 0x28] + [13, 10]) == "NO \"Script is not valid UTF-8\"\r\n")
        #expect(h.effects.count == 1)  // the login only
    }

    @Test("shutdown and revocation wait for the running effect, then BYE")
    func shutdownDuringEffect() {
        var h = Harness.loggedIn()
        let actions = h.session.receive(Array("LISTSCRIPTS\r\n".utf8))
        #expect(actions == [.effect(.script(accountID: 7, .list))])
        #expect(h.session.revoked().isEmpty)
        #expect(
            h.run(h.session.resume(.scripts([])))
                == "OK \"Listscripts completed\"\r\nBYE \"Account disabled or credentials changed\"\r\n<close>")
        var idle = Harness()
        #expect(idle.run(idle.session.shutdown()) == "BYE (TRYLATER) \"Server shutting down\"\r\n<close>")
        var slow = Harness()
        #expect(slow.run(slow.session.loginTimeout()) == "BYE \"Login timeout, closing connection\"\r\n<close>")
        #expect(Harness.loggedIn().session.isAuthenticated)
    }

    @Test("a result that does not answer the effect closes the session")
    func wrongResult() {
        var h = Harness.loggedIn()
        _ = h.session.receive(Array("GETSCRIPT \"x\"\r\n".utf8))
        #expect(h.run(h.session.resume(.done)) == "BYE (TRYLATER) \"Internal error\"\r\n<close>")
    }
}

@Suite("ManageSieve: framing and parsing")
struct ManageSieveCodecTests {
    @Test("literal markers: {N+} and {N}, 32-bit sizes only")
    func markers() {
        #expect(ManageSieveFramer.literalMarker(Array("PUTSCRIPT \"a\" {12+}".utf8)[...]) == 12)
        #expect(ManageSieveFramer.literalMarker(Array("{0}".utf8)[...]) == 0)
        #expect(ManageSieveFramer.literalMarker(Array("{4294967295+}".utf8)[...]) == 4_294_967_295)
        #expect(ManageSieveFramer.literalMarker(Array("{4294967296+}".utf8)[...]) == nil)
        #expect(ManageSieveFramer.literalMarker(Array("{+}".utf8)[...]) == nil)
        #expect(ManageSieveFramer.literalMarker(Array("{1a}".utf8)[...]) == nil)
        #expect(ManageSieveFramer.literalMarker(Array("12+}".utf8)[...]) == nil)
    }

    @Test("a synchronizing {N} literal is read at once: ManageSieve has no continuation")
    func synchronizingLiteral() {
        var h = Harness.loggedIn()
        #expect(h.send("PUTSCRIPT \"a\" {5}\r\nkeep;\r\n") == "OK \"Putscript completed\"\r\n")
        #expect(h.scripts.scripts["a"] == "keep;")
    }

    @Test("commands parse with quoted strings, literals and numbers")
    func parse() throws {
        #expect(
            try ManageSieveCommandParser.parse(Array("putscript \"a\\\\b\" {3+}\r\nx\ny".utf8))
                == .putScript(name: Array("a\\b".utf8), script: Array("x\ny".utf8)))
        #expect(try ManageSieveCommandParser.parse(Array("HAVESPACE \"s\" 0042".utf8)) == .haveSpace(name: [115], size: 42))
        #expect(throws: ManageSieveSyntaxError.self) {
            try ManageSieveCommandParser.parse(Array("HAVESPACE \"s\" 99999999999".utf8))
        }
        #expect(throws: ManageSieveSyntaxError.self) { try ManageSieveCommandParser.parse(Array("NOOP \"a\\n\"".utf8)) }
        #expect(throws: ManageSieveSyntaxError.self) { try ManageSieveCommandParser.parse(Array("LOGOUT now".utf8)) }
        #expect(throws: ManageSieveSyntaxError.self) { try ManageSieveCommandParser.parse(Array("NOOP\"a\"".utf8)) }
    }

    @Test("the server's strings: quoted with escapes, literals for line breaks and long text")
    func encode() {
        #expect(ManageSieveResponse.ok("a\"b\\c").encode() == Array("OK \"a\\\"b\\\\c\"\r\n".utf8))
        #expect(ManageSieveResponse.no("a\r\nb").encode() == Array("NO {4}\r\na\r\nb\r\n".utf8))
        let long = String(repeating: "z", count: 1025)
        #expect(ManageSieveResponse.ok(long).encode() == Array("OK {1025}\r\n\(long)\r\n".utf8))
        #expect(ManageSieveResponse.ok(code: .sasl("abc")).encode() == Array("OK (SASL \"abc\")\r\n".utf8))
        #expect(
            ManageSieveResponse.ok(code: .referral("sieve://other.example.org")).encode()
                == Array("OK (REFERRAL sieve://other.example.org)\r\n".utf8))
    }
}
