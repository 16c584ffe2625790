import Connection
import Testing

/// The one set of SASL rules SMTP AUTH, IMAP AUTHENTICATE and POP3 AUTH share; each protocol's
/// tests and the interop suites check how it answers them.
@Suite("SASL: base64 on the wire and the PLAIN message")
struct SASLTests {
    @Test func base64RoundTripsAndIsStrict() {
        for text in ["", "a", "ab", "abc", "abcd", "\u{0}alice\u{0}secret", "Grüße"] {
            #expect(SASLBase64.decode(SASLBase64.encode(text)) == Array(text.utf8))
        }
        #expect(SASLBase64.encode("Username:") == "VXNlcm5hbWU6")
        #expect(SASLBase64.encode("Password:") == "UGFzc3dvcmQ6")
        // RFC 4648 §3.2-§3.3: padding required and only at the end; nothing outside the alphabet.
        for bad in ["abc", "ab=c", "a===", "ab c", "YWJj\r\n", "YQ", "YQ=", "=YWJ", "YW*j", "YWJj===="] {
            #expect(SASLBase64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func plainMessages() {
        func parse(_ text: String) -> Result<SASLPlain, SASLPlain.Failure> { SASLPlain.parse(Array(text.utf8)) }
        #expect(
            parse("\u{0}alice@example.org\u{0}pw 1")
                == .success(SASLPlain(authorizationID: nil, authenticationID: "alice@example.org", password: "pw 1")))
        // An authzid naming the user itself (any case) is acting as oneself.
        #expect(
            parse("Alice@Example.org\u{0}alice@example.org\u{0}pw")
                == .success(
                    SASLPlain(authorizationID: "Alice@Example.org", authenticationID: "alice@example.org", password: "pw")))
        #expect(parse("bob@example.org\u{0}alice@example.org\u{0}pw") == .failure(.authorizationNotPermitted))
        #expect(parse("alice\u{0}pw") == .failure(.malformed))
        #expect(parse("") == .failure(.malformed))
        #expect(parse("\u{0}alice\u{0}pw\u{0}x") == .failure(.malformed))
        #expect(SASLPlain.parse([0, 0x61, 0, 0xFF, 0xFE]) == .failure(.malformed))  // not UTF-8
        #expect(parse("\u{0}\u{0}pw") == .failure(.emptyCredentials))
        #expect(parse("\u{0}alice\u{0}") == .failure(.emptyCredentials))
        #expect(SASLPlain.message(user: "alice", password: "pw") == Array("\u{0}alice\u{0}pw".utf8))
    }
}
