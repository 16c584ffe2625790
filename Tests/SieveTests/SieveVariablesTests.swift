import Testing

@testable import Sieve

@Suite("Sieve variables (RFC 5229)")
struct SieveVariablesTests {
    static func fileinto(_ body: String, message: String = SieveFixture.message) async throws -> [SieveAction] {
        try await SieveFixture.run("require [\"variables\", \"fileinto\"];\n" + body, message: message).actions
    }

    @Test("set and ${name} expansion; names are case-insensitive; unknown variables are empty (§3, §4)")
    func expansion() async throws {
        #expect(
            try await Self.fileinto(#"set "Box" "lists"; fileinto "${box}.${unset}x";"#) == [
                .fileinto(mailbox: "lists.x", flags: [], create: false)
            ])
    }

    @Test(
        "modifiers apply by precedence (§4.1)",
        arguments: [
            (":lower", "Hello World", "hello world"),
            (":upper", "Hello World", "HELLO WORLD"),
            (":lowerfirst", "Hello", "hello"),
            (":upperfirst", "hello", "Hello"),
            (":upperfirst :lower", "hELLO", "Hello"),
            (":quotewildcard", "a*b?c\\\\d", "a\\*b\\?c\\\\d"),
            (":length", "héllo", "5"),
            (":length :upper", "abc", "3"),
        ])
    func modifiers(tags: String, value: String, expected: String) async throws {
        let actions = try await Self.fileinto(#"set \#(tags) "v" "\#(value)"; fileinto "${v}";"#)
        #expect(actions == [.fileinto(mailbox: expected, flags: [], create: false)])
    }

    @Test("match variables from :matches (§3.2, the List-ID and Subject examples)")
    func matchVariables() async throws {
        let message =
            "List-ID: Acme users <acme-users@lists.example.com>\r\nSubject: [acme-users] [fwd] version 1.0 is out\r\n\r\nx"
        let actions = try await Self.fileinto(
            #"""
            if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; }
            if header :matches "Subject" "[*] *" { fileinto "${1}/${2}/${0}"; }
            """#, message: message)
        #expect(
            actions == [
                .fileinto(mailbox: "INBOX.lists.acme-users", flags: [], create: false),
                .fileinto(
                    mailbox: "acme-users/[fwd] version 1.0 is out/[acme-users] [fwd] version 1.0 is out", flags: [],
                    create: false),
            ])
    }

    @Test("string test compares expanded strings; :count counts non-empty ones (§5)")
    func stringTest() async throws {
        let actions = try await Self.fileinto(
            #"""
            require "relational";
            set "a" "x"; set "b" "";
            if string :is "${a}" "x" { fileinto "is"; }
            if string :count "eq" ["${a}", "${b}"] "1" { fileinto "count"; }
            """#)
        #expect(
            actions == [
                .fileinto(mailbox: "is", flags: [], create: false), .fileinto(mailbox: "count", flags: [], create: false),
            ]
        )
    }

    @Test("a value longer than 4096 bytes is truncated; doubling stays bounded (§6)")
    func expansionBomb() async throws {
        var script = "require \"variables\";\nset \"x\" \"0123456789\";\n"
        script += String(repeating: "set \"x\" \"${x}${x}\";\n", count: 200)
        script +=
            "if string :is \"${x}\" \"\" { discard; }\nset :length \"n\" \"${x}\";\nif string :is \"${n}\" \"4096\" { discard; }"
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await SieveFixture.run(script)
        #expect(clock.now - start < .seconds(5))
        #expect(result.actions == [.discard])
    }

    @Test("more than maxVariables variables is a runtime error")
    func tooManyVariables() async throws {
        let script = "require \"variables\";\n" + (1...300).map { #"set "v\#($0)" "x";"# }.joined(separator: "\n")
        #expect(try await SieveFixture.run(script).runtimeError?.contains("too many variables") == true)
    }

    @Test("without require variables, ${x} is literal")
    func noExpansion() async throws {
        #expect(
            try await SieveFixture.run(#"require "fileinto"; fileinto "${x}";"#).actions == [
                .fileinto(mailbox: "${x}", flags: [], create: false)
            ])
    }
}
