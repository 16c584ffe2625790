import Core
import Testing

@testable import SMTP

@Suite("Session: error replies")
struct ErrorReplyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let setup: String
        let command: String
        let expected: String
        var testDescription: String { "\(command.printable) → \(expected)" }
    }

    static let ehlo = "EHLO c.example\r\n"
    static let mail = ehlo + "MAIL FROM:<a@b.example>\r\n"
    static let rcpt = mail + "RCPT TO:<bob@example.org>\r\n"

    static let cases: [Case] = [
        Case(setup: "", command: "FOO bar\r\n", expected: "500 5.5.1"),
        Case(setup: "", command: "LHLO c.example\r\n", expected: "500 5.5.1"),
        Case(setup: "", command: "MAIL FROM:<a@b.example>\r\n", expected: "503 5.5.1"),
        Case(setup: ehlo, command: "RCPT TO:<bob@example.org>\r\n", expected: "503 5.5.1"),
        Case(setup: ehlo, command: "DATA\r\n", expected: "503 5.5.1"),
        Case(setup: ehlo, command: "BDAT 0 LAST\r\n", expected: "503 5.5.1"),
        Case(setup: mail, command: "MAIL FROM:<a@b.example>\r\n", expected: "503 5.5.1"),
        Case(setup: mail, command: "DATA\r\n", expected: "503 5.5.1"),
        Case(setup: mail + "RCPT TO:<x@nowhere.example>\r\n", command: "DATA\r\n", expected: "554 5.5.1"),
        Case(setup: mail + "RCPT TO:<x@nowhere.example>\r\n", command: "BDAT 0 LAST\r\n", expected: "554 5.5.1"),
        Case(setup: mail, command: "RCPT TO:<x@nowhere.example>\r\n", expected: "550 5.1.1"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> FOO=1\r\n", expected: "555 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> AUTH=<>\r\n", expected: "555 5.5.4"),
        Case(setup: mail, command: "RCPT TO:<bob@example.org> BODY=8BITMIME\r\n", expected: "555 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SIZE=abc\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SIZE=\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> BODY=9BIT\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SMTPUTF8=yes\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SIZE=1 SIZE=2\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> -X=1\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SIZE=100001\r\n", expected: "552 5.3.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example> SIZE=99999999999999999999\r\n", expected: "552 5.3.4"),
        Case(setup: ehlo, command: "MAIL FROM:<a>\r\n", expected: "501 5.1.7"),
        Case(setup: ehlo, command: "MAIL FROM:<a@b.example\r\n", expected: "501 5.1.7"),
        Case(setup: ehlo, command: "MAIL FROM:<a%c.example@b.example>\r\n", expected: "550 5.7.1"),
        Case(setup: ehlo, command: "MAIL TO:<a@b.example>\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL FROM <a@b.example>\r\n", expected: "501 5.5.4"),
        Case(setup: ehlo, command: "MAIL\r\n", expected: "501 5.5.4"),
        Case(setup: mail, command: "RCPT\r\n", expected: "501 5.5.4"),
        Case(setup: mail, command: "RCPT TO:\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "EHLO\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "HELO two words\r\n", expected: "501 5.5.4"),
        Case(setup: rcpt, command: "DATA now\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "RSET x\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "QUIT now\r\n", expected: "501 5.5.4"),
        Case(setup: rcpt, command: "BDAT\r\n", expected: "501 5.5.4"),
        Case(setup: rcpt, command: "BDAT -1\r\n", expected: "501 5.5.4"),
        Case(setup: rcpt, command: "BDAT 1 FIRST\r\n", expected: "501 5.5.4"),
        Case(setup: rcpt, command: "BDAT 1234567890123456789\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "VRFY postmaster\r\n", expected: "252 2.1.5"),
        Case(setup: "", command: "VRFY\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "EXPN staff\r\n", expected: "502 5.5.1"),
        Case(setup: "", command: "HELP\r\n", expected: "214 2.0.0"),
        Case(setup: "", command: "HELP MAIL\r\n", expected: "214 2.0.0"),
        Case(setup: "", command: "NOOP\r\n", expected: "250 2.0.0"),
        Case(setup: rcpt, command: "RSET\r\n", expected: "250 2.0.0"),
        Case(setup: "", command: "QUIT\r\n", expected: "221 2.0.0"),
        Case(setup: ehlo, command: "STARTTLS now\r\n", expected: "501 5.5.4"),
        Case(setup: "", command: "STARTTLS\r\n", expected: "503 5.5.1"),
        Case(setup: mail, command: "STARTTLS\r\n", expected: "503 5.5.1"),
        Case(setup: "", command: "NO\u{0}OP\r\n", expected: "500 5.5.2"),
        Case(setup: "", command: "NOOP\rRSET\r\n", expected: "500 5.5.2"),
        Case(setup: "", command: "GET / HTTP/1.1\r\n", expected: "421 4.7.0"),
        Case(setup: mail, command: "RCPT TO:<b\u{fc}cher@example.org>\r\n", expected: "553 5.6.7"),
        Case(setup: ehlo, command: "MAIL FROM:<b\u{fc}cher@example.org>\r\n", expected: "553 5.6.7"),
    ]

    @Test(arguments: cases)
    func reply(_ c: Case) {
        var d = SessionDriver()
        let setup = d.send(c.setup)
        #expect(!setup.codes.contains { $0 >= 400 && $0 != 550 }, "setup failed: \(setup.statuses)")
        let effectsBefore = d.effects.count
        let actions = d.send(c.command)
        #expect(actions.statuses == [c.expected])
        if c.expected.first != "2" && !c.expected.hasPrefix("550 5.1.1") {
            #expect(d.effects.count == effectsBefore, "a refused command must not reach the adapter")
        }
    }

    @Test func startTLSUnavailable() {
        var d = SessionDriver(.test { $0.startTLSAvailable = false })
        #expect(d.send("EHLO c.example\r\nSTARTTLS\r\n").statuses == ["250", "502 5.5.1"])
    }

    @Test func quitCloses() {
        var d = SessionDriver()
        let actions = d.send("QUIT\r\nNOOP\r\n")
        #expect(actions == [.reply(SMTPReply(221, .init(2, 0, 0), "Bye")), .close])
        #expect(d.send("NOOP\r\n").isEmpty)
        #expect(d.timeout().isEmpty)
    }

    @Test func httpRequestClosesAtOnce() {
        var d = SessionDriver()
        let actions = d.send("POST / HTTP/1.1\r\nHost: x\r\n\r\nMAIL FROM:<a@b.example>\r\n")
        #expect(actions.codes == [421])
        #expect(actions.last == .close)
    }

    @Test func tooManyRecipients() {
        var d = SessionDriver(.test { $0.maxRecipients = 2 })
        let actions = d.send(
            Self.mail + "RCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(actions.statuses.suffix(5) == ["250 2.1.5", "250 2.1.5", "452 4.5.3", "354", "250 2.0.0"])
        #expect(d.effects.filter { if case .checkRecipient = $0 { true } else { false } }.count == 2)
        #expect(d.messages.first?.envelope.recipients.count == 2)
    }
}

extension String {
    var printable: String {
        String(unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
