import Testing

@testable import Sieve

@Suite("Sieve hostile scripts and messages: bounded, never a crash")
struct SieveHostileTests {
    static func deeplyNested(_ kind: Int) -> String {
        switch kind {
        case 0: String(repeating: "if true {", count: 10_000) + String(repeating: "}", count: 10_000)
        case 1: "if " + String(repeating: "not ", count: 10_000) + "true { keep; }"
        default:
            "if " + String(repeating: "anyof(", count: 10_000) + "true" + String(repeating: ")", count: 10_000) + " { keep; }"
        }
    }

    @Test("nesting 10,000 deep (blocks, not, anyof) is refused at compile time", arguments: 0..<3)
    func deepNesting(kind: Int) {
        let errors = SieveFixture.errors(Self.deeplyNested(kind))
        #expect(errors.first?.message.contains("nesting is too deep") == true)
    }

    @Test("nesting up to the limit compiles")
    func nestingAtLimit() {
        let script = String(repeating: "if true {", count: 16) + "keep;" + String(repeating: "}", count: 16)
        #expect(SieveFixture.errors(script).isEmpty)
    }

    @Test("a 5 MiB string and a 2 MiB script are refused")
    func hugeStrings() {
        let big = String(repeating: "a", count: 5 << 20)
        #expect(!SieveFixture.errors("redirect \"\(big)\";").isEmpty)
        var limits = SieveLimits()
        limits.maxScriptBytes = 8 << 20
        #expect(SieveFixture.errors("redirect \"\(big)\";", limits: limits).first?.message == "string is too long")
        #expect(
            SieveFixture.errors("keep;" + String(repeating: " ", count: 2 << 20)).first?.message.contains("too large") == true)
    }

    @Test("a string list over 1,000 items is refused")
    func longList() {
        let list = (0...1_000).map { "\"\($0)\"" }.joined(separator: ",")
        #expect(SieveFixture.errors("if header \"a\" [\(list)] { keep; }").first?.message.contains("too many items") == true)
    }

    @Test(":matches with many stars against 64 KiB of 'a' finishes quickly")
    func globBlowUp() async throws {
        let value = String(repeating: "a", count: 64 << 10)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(SieveGlob("*a*a*a*a*a*a*a*a*b").match(value, comparator: .asciiCasemap) == nil)
        #expect(SieveGlob("*a*a*a*a*a*a*a*a*a").match(value, comparator: .octet) != nil)
        #expect(SieveGlob("*?*?*?*?*?*?*?*?b").match(value, comparator: .octet) == nil)
        let message = "Subject: \(value)\r\n\r\nbody"
        let result = try await SieveFixture.run(
            #"if header :matches "subject" "*a*a*a*a*a*a*a*a*b" { discard; }"#, message: message)
        #expect(result.actions == [.keep(flags: [])])
        #expect(clock.now - start < .seconds(10))
    }

    @Test("a variable expansion bomb in one string is bounded")
    func expansionBomb() async throws {
        var script = "require \"variables\";\nset \"x\" \"\(String(repeating: "a", count: 4_000))\";\n"
        script += "set \"y\" \"" + String(repeating: "${x}", count: 2_000) + "\";"
        let result = try await SieveFixture.run(script)
        #expect(result.runtimeError?.contains("exceeds") == true)
    }

    @Test("include fan-out is bounded at run time")
    func includeFanOut() async throws {
        let includes: (String, SieveIncludeLocation) -> String? = { name, _ in
            guard let level = Int(name.dropFirst()) else { return nil }
            if level == 8 { return "keep;" }
            return "require \"include\";\n" + String(repeating: "include \"s\(level + 1)\";\n", count: 20)
        }
        let result = try await SieveFixture.run(#"require "include"; include "s0";"#, includes: includes)
        #expect(result.runtimeError?.contains("too many includes") == true)
    }
}
