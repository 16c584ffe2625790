import PostaTestSupport
import Testing

@testable import Sieve

@Suite("Sieve parser fuzzing (seeded): never crashes, bounded time")
struct SieveFuzzTests {
    static let tokens = [
        "if", "elsif", "else", "require", "keep", "discard", "stop", "fileinto", "redirect", "header", "address",
        "allof", "anyof", "not", "true", "false", "size", "set", "vacation", "include", "text:\n..x\n.\n", ":is",
        ":contains", ":matches", ":count", ":value", "\"ge\"", ":comparator", "\"i;ascii-numeric\"", ":over", ":under",
        ":index", ":last", ":days", ":flags", "\"${x}\"", "\"${hex:41}\"", "\"a\\\"b\"", "[", "]", "(", ")", "{", "}", ",",
        ";", "1K", "99999999999", "0", "#c\n", "/* c */", "/*", "\"", "\u{0}", "é", "\r\n", " ",
        "\"variables\"", "\"fileinto\"", "\"imap4flags\"", "\"relational\"", "\"envelope\"", "\"include\"",
        "\"*a*b?\"", "\"From\"", "\"a@example.com\"",
    ]

    static let seeds = [
        SieveFixture.message,
        #"require ["fileinto", "variables", "relational", "comparator-i;ascii-numeric"]; if header :count "ge" :comparator "i;ascii-numeric" "to" "2" { set "a" "${1}"; fileinto "x${a}"; } elsif not exists "b" { discard; } else { keep; }"#,
        #"require ["vacation", "imap4flags", "envelope"]; if envelope :all "from" "*@*" { addflag "\\Seen"; vacation :days 3 text:\#nHi\#n..\#n.\#n; }"#,
    ]

    static let environment = FakeEnvironment()

    static func exercise(_ script: String) async {
        do {
            let compiled = try SieveScript.compile(script) { name, _ in name == "x" ? "keep;" : nil }
            _ = await compiled.run(SieveMessage(bytes: Array(SieveFixture.message.utf8)), SieveFixture.context())
        } catch {
            #expect(!error.diagnostics.isEmpty)
            for diagnostic in error.diagnostics { #expect(diagnostic.line >= 1 && diagnostic.column >= 1) }
        }
    }

    @Test("random token soup", arguments: 0..<4)
    func tokenSoup(seed: UInt64) async {
        var random = SeededGenerator(state: seed &* 7_919 &+ 1)
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<500 {
            let count = Int.random(in: 1...60, using: &random)
            let script = (0..<count).map { _ in Self.tokens.randomElement(using: &random)! }.joined(separator: " ")
            await Self.exercise(script)
        }
        #expect(clock.now - start < .seconds(30))
    }

    @Test("mutated valid scripts", arguments: 0..<4)
    func mutations(seed: UInt64) async {
        var random = SeededGenerator(state: seed &+ 0xC0FFEE)
        for _ in 0..<500 {
            var bytes = Array(Self.seeds.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                case 2: bytes[at] = UInt8.random(in: 0x20...0x7E, using: &random)
                default:
                    let end = min(bytes.count, at + Int.random(in: 1...20, using: &random))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                }
            }
            await Self.exercise(String(decoding: bytes, as: UTF8.self))
        }
    }
}
