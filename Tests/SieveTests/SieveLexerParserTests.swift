import Testing

@testable import Sieve

@Suite("Sieve lexer and parser (RFC 5228 §2, §8)")
struct SieveLexerParserTests {
    static func tokens(_ text: String) throws -> [SieveToken] {
        var lexer = SieveLexer(Array(text.utf8), limits: SieveLimits())
        var tokens: [SieveToken] = []
        while true {
            let lexeme = try lexer.next()
            if lexeme.token == .end { return tokens }
            tokens.append(lexeme.token)
        }
    }

    @Test("comments are skipped: hash to end of line, bracket comments across lines (§2.3)")
    func comments() throws {
        #expect(
            try Self.tokens("# one\r\nkeep; /* two\r\n lines */ stop;") == [
                .identifier("keep"), .punctuation(UInt8(ascii: ";")), .identifier("stop"), .punctuation(UInt8(ascii: ";")),
            ])
    }

    @Test("quoted strings: backslash escapes the next character (§2.4.2)")
    func quoted() throws {
        #expect(try Self.tokens(#""a\"b\\c\d""#) == [.string(#"a"b\cd"#)])
        #expect(try Self.tokens("\"two\r\nlines\"") == [.string("two\r\nlines")])
    }

    @Test("text: strings keep their lines with CRLF and undo dot-stuffing (§2.4.2)")
    func multiLine() throws {
        let text = "text: # comment\r\nline one\r\n..dot\r\n.\r\n"
        #expect(try Self.tokens(text) == [.string("line one\r\n.dot\r\n")])
        #expect(try Self.tokens("text:\nbare lf\n.\n") == [.string("bare lf\r\n")])
    }

    @Test("numbers take K, M and G quantifiers (§2.4.1)")
    func numbers() throws {
        #expect(try Self.tokens("10 1K 2m 3G") == [.number(10), .number(1_024), .number(2 << 20), .number(3 << 30)])
    }

    @Test("a number that overflows is refused")
    func overflow() {
        #expect(SieveFixture.errors("if size :over 99999999999999999999 { stop; }").first?.message == "number is too large")
        #expect(SieveFixture.errors("if size :over 9999999999999999G { stop; }").first?.message == "number is too large")
    }

    @Test(
        "syntax errors carry line and column",
        arguments: [
            ("keep;\r\nstop\r\n", 3, 1, "expected ';' or '{', found end of script"),
            ("keep;\n  if true { keep; \n", 3, 1, "expected '}' or a command, found end of script"),
            ("keep;\n\"x\";", 2, 1, "expected a command, found string"),
            ("keep;\n/* open", 2, 1, "unterminated bracket comment"),
            ("redirect \"a\nb;", 1, 10, "unterminated string"),
            ("if header [\"a\" \"b\"] \"c\" {}", 1, 16, "expected ',' or ']', found string"),
            ("keep @;", 1, 6, "unexpected character '@'"),
        ])
    func syntaxErrors(script: String, line: Int, column: Int, message: String) {
        let errors = SieveFixture.errors(script)
        #expect(errors == [SieveDiagnostic(line: line, column: column, message: message)])
    }

    @Test("an unterminated text: string is an error")
    func unterminatedText() {
        #expect(
            SieveFixture.errors("require \"vacation\";\nvacation text:\nhello\n").first?.message
                == "unterminated multi-line string")
    }

    @Test("parses tests, test lists and blocks")
    func structure() throws {
        let nodes = try SieveParser.parse(
            "if anyof (not exists \"X\", header :is \"a\" [\"b\", \"c\"]) { keep; } else { discard; }", limits: SieveLimits())
        #expect(nodes.count == 2)
        #expect(nodes[0].tests[0].name == "anyof")
        #expect(nodes[0].tests[0].tests.count == 2)
        #expect(nodes[0].tests[0].tests[1].arguments.count == 3)
        #expect(nodes[1].name == "else")
    }
}
