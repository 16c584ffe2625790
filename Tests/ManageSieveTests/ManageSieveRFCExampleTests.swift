import Connection
import Testing

@testable import ManageSieve

/// The examples of RFC 5804 §2, replayed against the session (with Posta's texts where the RFC
/// leaves the human-readable part to the server).
@Suite("ManageSieve: RFC 5804 §2 examples")
struct ManageSieveRFCExampleTests {
    static let capabilities = crlf(
        "\"IMPLEMENTATION\" \"Posta\"", "\"SASL\" \"PLAIN LOGIN\"", "\"SIEVE\" \"fileinto reject envelope vacation\"")

    @Test("§1.7: the greeting is the capability list, with STARTTLS before TLS and no mechanism without it")
    func greeting() {
        var h = Harness(tls: false)
        #expect(
            h.greeting()
                == crlf(
                    "\"IMPLEMENTATION\" \"Posta\"", "\"SASL\" \"\"", "\"SIEVE\" \"fileinto reject envelope vacation\"",
                    "\"STARTTLS\"", "\"VERSION\" \"1.0\"", "\"UNAUTHENTICATE\"",
                    "OK \"sieve.example.org Posta ManageSieve ready\""))
        var tls = Harness(tls: true)
        #expect(
            tls.greeting()
                == Self.capabilities
                + crlf("\"VERSION\" \"1.0\"", "\"UNAUTHENTICATE\"", "OK \"sieve.example.org Posta ManageSieve ready\""))
    }

    @Test("§2.1: AUTHENTICATE PLAIN with an initial response, and with an empty challenge and a literal answer")
    func authenticatePlain() {
        let credentials = SASLBase64.encode(SASLPlain.message(user: "tim", password: "tanstaaftanstaaf"))
        var h = Harness()
        #expect(h.send("AUTHENTICATE \"PLAIN\" \"\(credentials)\"\r\n") == "OK \"Logged in\"\r\n")
        #expect(h.session.isAuthenticated)
        var h2 = Harness()
        #expect(h2.send("Authenticate \"PLAIN\"\r\n") == "\"\"\r\n")
        #expect(h2.send("{\(credentials.utf8.count)+}\r\n\(credentials)\r\n") == "OK \"Logged in\"\r\n")
        #expect(h2.effects == [.login(user: "tim", password: "tanstaaftanstaaf", mechanism: "PLAIN")])
    }

    @Test("§2.1: LOGIN challenges are base64 strings; the answers may be quoted or literals")
    func authenticateLogin() {
        var h = Harness()
        #expect(h.send("AUTHENTICATE \"LOGIN\"\r\n") == "\"VXNlcm5hbWU6\"\r\n")
        let user = SASLBase64.encode("tim")
        #expect(h.send("{\(user.utf8.count)+}\r\n\(user)\r\n") == "\"UGFzc3dvcmQ6\"\r\n")
        #expect(h.send("\"\(SASLBase64.encode("tanstaaftanstaaf"))\"\r\n") == "OK \"Logged in\"\r\n")
        #expect(h.effects == [.login(user: "tim", password: "tanstaaftanstaaf", mechanism: "LOGIN")])
    }

    @Test("§2.1: \"*\" cancels the exchange with NO")
    func cancel() {
        var h = Harness()
        #expect(h.send("Authenticate \"PLAIN\"\r\n") == "\"\"\r\n")
        #expect(h.send("\"*\"\r\n") == "NO \"Authentication cancelled\"\r\n")
        #expect(!h.session.isAuthenticated)
        #expect(h.send("CAPABILITY\r\n").hasSuffix("OK \"CAPABILITY completed\"\r\n"))
    }

    @Test("§2.1: failed attempts get NO; the last allowed one gets BYE and the connection closes")
    func failures() {
        var h = Harness()
        let wrong = SASLBase64.encode(SASLPlain.message(user: "tim", password: "wrong"))
        #expect(h.send("AUTHENTICATE \"PLAIN\" \"\(wrong)\"\r\n") == "NO \"Authentication failed\"\r\n")
        #expect(h.send("AUTHENTICATE \"PLAIN\" \"\(wrong)\"\r\n") == "NO \"Authentication failed\"\r\n")
        #expect(
            h.send("AUTHENTICATE \"PLAIN\" \"\(wrong)\"\r\n")
                == "NO \"Authentication failed\"\r\nBYE \"Too many failed logins\"\r\n<close>")
        #expect(h.session.isClosed)
    }

    @Test("§2.1 / §1.3: throttled logins answer NO (TRYLATER)")
    func throttled() {
        var h = Harness()
        h.throttled = true
        let credentials = SASLBase64.encode(SASLPlain.message(user: "tim", password: "tanstaaftanstaaf"))
        #expect(
            h.send("AUTHENTICATE \"PLAIN\" \"\(credentials)\"\r\n")
                == "NO (TRYLATER) \"Too many failed logins, try again later\"\r\n")
    }

    @Test("§2.1 / §1.3: without TLS the answer is NO (ENCRYPT-NEEDED), even for a literal initial response")
    func encryptNeeded() {
        var h = Harness(tls: false)
        let credentials = SASLBase64.encode(SASLPlain.message(user: "tim", password: "tanstaaftanstaaf"))
        #expect(
            h.send("AUTHENTICATE \"PLAIN\" {\(credentials.utf8.count)+}\r\n\(credentials)\r\nLISTSCRIPTS\r\n")
                == "NO (ENCRYPT-NEEDED) \"Issue STARTTLS before authenticating\"\r\nNO \"Authenticate first\"\r\n")
        #expect(h.effects.isEmpty)
        var plain = Harness(tls: false, plaintext: true)
        #expect(plain.send("AUTHENTICATE \"PLAIN\" \"\(credentials)\"\r\n") == "OK \"Logged in\"\r\n")
    }

    @Test("§2.2: STARTTLS, pipelined input dropped, capabilities re-sent after the handshake")
    func startTLS() {
        var h = Harness(tls: false)
        _ = h.greeting()
        #expect(h.send("StartTls\r\nLOGOUT\r\n") == "OK \"Begin TLS negotiation now\"\r\n<starttls>")
        #expect(h.send("LOGOUT\r\n") == "")
        #expect(
            h.run(h.session.tlsEstablished())
                == Self.capabilities
                + crlf("\"VERSION\" \"1.0\"", "\"UNAUTHENTICATE\"", "OK \"TLS negotiation successful\""))
        #expect(h.send("STARTTLS\r\n") == "NO \"TLS is already active\"\r\n")
        // sieve-connect resynchronises with a tagged NOOP after the handshake.
        #expect(
            h.send("NOOP \"STARTTLS-RESYNC-CAPA\"\r\n") == "OK (TAG \"STARTTLS-RESYNC-CAPA\") \"Done\"\r\n")
    }

    @Test("§2.3: LOGOUT answers OK and closes")
    func logout() {
        var h = Harness()
        #expect(h.send("Logout\r\nCAPABILITY\r\n") == "OK \"Logout completed\"\r\n<close>")
    }

    @Test("§2.4: CAPABILITY after login names the OWNER and drops STARTTLS")
    func capabilityAfterLogin() {
        var h = Harness.loggedIn()
        #expect(
            h.send("CAPABILITY\r\n")
                == Self.capabilities
                + crlf("\"OWNER\" \"tim\"", "\"VERSION\" \"1.0\"", "\"UNAUTHENTICATE\"", "OK \"CAPABILITY completed\""))
    }

    @Test("§2.5: HAVESPACE")
    func haveSpace() {
        var h = Harness.loggedIn()
        #expect(
            h.send("HAVESPACE \"myscript\" 999999\r\n") == "NO (QUOTA/MAXSIZE) \"Scripts are limited to 1024 octets\"\r\n")
        #expect(h.send("HAVESPACE \"foobar\" 435\r\n") == "OK \"Putscript would succeed\"\r\n")
        #expect(h.effects.last == .script(accountID: 7, .haveSpace(name: "foobar", size: 435)))
        #expect(h.send("HAVESPACE \"foobar\" \"435\"\r\n") == "NO \"HAVESPACE expects a script name and a size\"\r\n")
        h.scripts.maximumScripts = 0
        #expect(h.send("HAVESPACE \"foobar\" 1\r\n") == "NO (QUOTA/MAXSCRIPTS) \"At most 0 scripts are allowed\"\r\n")
    }

    static let goodScript =
        "require [\"fileinto\"];\r\n\r\nif envelope :contains \"to\" \"tmartin+sent\" {\r\n  fileinto \"INBOX.sent\";\r\n}"

    @Test("§2.6: PUTSCRIPT of an invalid script is refused with the error; a valid one is stored")
    func putScript() {
        var h = Harness.loggedIn()
        let bad = "#comment\r\nInvalidSieveCommand\r\n"
        #expect(h.send("Putscript \"foo\" {\(bad.utf8.count)+}\r\n\(bad)\r\n") == "NO \"line 2: Syntax error\"\r\n")
        #expect(h.scripts.scripts.isEmpty)
        let good = Self.goodScript
        #expect(h.send("Putscript \"mysievescript\" {\(good.utf8.count)+}\r\n\(good)\r\n") == "OK \"Putscript completed\"\r\n")
        #expect(h.scripts.scripts["mysievescript"] == good)
    }

    @Test("§2.6: several errors come back as a literal")
    func putScriptErrors() {
        var h = Harness.loggedIn()
        let bad = "one\r\ntwo\r\n"
        let text = "line 1: Syntax error\r\nline 2: Syntax error"
        #expect(
            h.send("PUTSCRIPT \"foo\" {\(bad.utf8.count)+}\r\n\(bad)\r\n") == "NO {\(text.utf8.count)}\r\n\(text)\r\n")
    }

    @Test("§2.7: LISTSCRIPTS marks the active script; odd names are quoted")
    func listScripts() {
        var h = Harness.loggedIn()
        h.scripts.scripts = [
            "summer_script": "keep;", "vacation_script": "keep;", "clever\"script": "keep;", "main_script": "keep;",
        ]
        h.scripts.active = "main_script"
        #expect(
            h.send("Listscripts\r\n")
                == crlf(
                    "\"clever\\\"script\"", "\"main_script\" ACTIVE", "\"summer_script\"", "\"vacation_script\"",
                    "OK \"Listscripts completed\""))
    }

    @Test("§2.8: SETACTIVE, the empty name deactivates, an unknown name is NONEXISTENT")
    func setActive() {
        var h = Harness.loggedIn()
        h.scripts.scripts = ["vacationscript": "keep;"]
        #expect(h.send("Setactive \"vacationscript\"\r\n") == "OK \"Setactive completed\"\r\n")
        #expect(h.scripts.active == "vacationscript")
        #expect(h.send("Setactive \"\"\r\n") == "OK \"All scripts deactivated\"\r\n")
        #expect(h.scripts.active == nil)
        #expect(h.send("Setactive \"baz\"\r\n") == "NO (NONEXISTENT) \"There is no script by that name\"\r\n")
    }

    @Test("§2.9: GETSCRIPT returns a literal, then OK")
    func getScript() {
        var h = Harness.loggedIn()
        let script = "#this is my wonderful script\r\nreject \"I reject all\";\r\n"
        h.scripts.scripts = ["myscript": script]
        #expect(
            h.send("Getscript \"myscript\"\r\n") == "{\(script.utf8.count)}\r\n\(script)\r\nOK \"Getscript completed\"\r\n")
        #expect(h.send("GETSCRIPT \"nope\"\r\n") == "NO (NONEXISTENT) \"There is no script by that name\"\r\n")
    }

    @Test("§2.10: DELETESCRIPT; the active script is refused with ACTIVE")
    func deleteScript() {
        var h = Harness.loggedIn()
        h.scripts.scripts = ["foo": "keep;", "baz": "keep;"]
        h.scripts.active = "baz"
        #expect(h.send("Deletescript \"foo\"\r\n") == "OK \"Deletescript completed\"\r\n")
        #expect(
            h.send("Deletescript \"baz\"\r\n")
                == "NO (ACTIVE) \"The active script cannot be deleted: deactivate it first\"\r\n")
    }

    @Test("§2.11: RENAMESCRIPT; an existing target is ALREADYEXISTS")
    func renameScript() {
        var h = Harness.loggedIn()
        h.scripts.scripts = ["foo": "keep;", "baz": "keep;"]
        #expect(h.send("Renamescript \"foo\" \"bar\"\r\n") == "OK \"Renamescript completed\"\r\n")
        #expect(
            h.send("Renamescript \"baz\" \"bar\"\r\n") == "NO (ALREADYEXISTS) \"A script by that name already exists\"\r\n")
        #expect(h.send("Renamescript \"nope\" \"x\"\r\n") == "NO (NONEXISTENT) \"There is no script by that name\"\r\n")
    }

    @Test("§2.12: CHECKSCRIPT")
    func checkScript() {
        var h = Harness.loggedIn()
        let bad = "#comment\r\nInvalidSieveCommand\r\n"
        #expect(h.send("CheckScript {\(bad.utf8.count)+}\r\n\(bad)\r\n") == "NO \"line 2: Syntax error\"\r\n")
        #expect(h.send("CHECKSCRIPT \"keep;\"\r\n") == "OK \"Script is valid\"\r\n")
        #expect(h.scripts.scripts.isEmpty)
    }

    @Test("§2.13: NOOP echoes its tag; long tags become literals")
    func noop() {
        var h = Harness()
        #expect(h.send("NOOP\r\n") == "OK \"Done\"\r\n")
        #expect(h.send("NOOP \"STARTTLS-SYNC-42\"\r\n") == "OK (TAG \"STARTTLS-SYNC-42\") \"Done\"\r\n")
        #expect(h.send("NOOP {3+}\r\na\"b\r\n") == "OK (TAG \"a\\\"b\") \"Done\"\r\n")
    }

    @Test("§2.14: UNAUTHENTICATE returns to the non-authenticated state")
    func unauthenticate() {
        var h = Harness.loggedIn()
        var actions = h.session.receive(Array("UNAUTHENTICATE\r\n".utf8))
        #expect(actions == [.unauthenticated, .send(.ok("Unauthenticate completed"))])
        #expect(!h.session.isAuthenticated)
        actions = h.session.receive(Array("LISTSCRIPTS\r\n".utf8))
        #expect(actions == [.send(.no("Authenticate first"))])
        #expect(h.send("UNAUTHENTICATE\r\n") == "NO \"Not authenticated\"\r\n")
    }

    @Test("commands in the wrong state, unknown commands and bad syntax get NO, not a closed connection")
    func wrongState() {
        var h = Harness()
        #expect(h.send("GETSCRIPT \"x\"\r\n") == "NO \"Authenticate first\"\r\n")
        #expect(h.send("FROB\r\n") == "NO \"Unknown command\"\r\n")
        #expect(h.send("PUTSCRIPT foo bar\r\n") == "NO \"PUTSCRIPT expects string arguments\"\r\n")
        #expect(h.send("PUTSCRIPT \"foo\"\r\n") == "NO \"wrong number of arguments for PUTSCRIPT\"\r\n")
        #expect(h.send("NOOP \"unterminated\r\n") == "NO \"unterminated quoted string\"\r\n")
        #expect(h.send("AUTHENTICATE \"CRAM-MD5\"\r\n") == "NO \"Unsupported SASL mechanism\"\r\n")
        var logged = Harness.loggedIn()
        #expect(logged.send("AUTHENTICATE \"PLAIN\" \"\"\r\n") == "NO \"Already authenticated\"\r\n")
        #expect(logged.send("STARTTLS\r\n") == "NO \"STARTTLS is not allowed after authentication\"\r\n")
    }

    @Test("§1.3 TRYLATER: a failing store")
    func storeFailure() {
        var h = Harness.loggedIn()
        h.scripts.failing = true
        #expect(h.send("LISTSCRIPTS\r\n") == "NO (TRYLATER) \"Temporary failure, try again later\"\r\n")
    }
}
