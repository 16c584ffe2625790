import Testing

@testable import Sieve

@Suite("Sieve spamtest and virustest (RFC 3685, RFC 5235)")
struct SieveSpamtestTests {
    static let prefix = #"require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric"];"#

    @Test("spamtest compares the score; not tested is 0 (RFC 3685 §3.1)")
    func spamtest() async throws {
        let script = Self.prefix + #"if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { discard; }"#
        #expect(try await SieveFixture.run(script, context: SieveFixture.context(spam: 7)).actions == [.discard])
        #expect(try await SieveFixture.run(script, context: SieveFixture.context(spam: 3)).actions == [.keep(flags: [])])
        let untested = Self.prefix + #"if spamtest :is "0" { discard; }"#
        #expect(try await SieveFixture.run(untested).actions == [.discard])
    }

    @Test("spamtest :percent needs spamtestplus (RFC 5235 §3)")
    func percent() async throws {
        let script = Self.prefix + #"if spamtest :percent :value "gt" :comparator "i;ascii-numeric" "50" { discard; }"#
        #expect(try await SieveFixture.run(script, context: SieveFixture.context(percent: 80)).actions == [.discard])
        #expect(!SieveFixture.errors(#"require "spamtest"; if spamtest :percent "1" { keep; }"#).isEmpty)
    }

    @Test("virustest (RFC 3685 §3.2)")
    func virustest() async throws {
        let script = Self.prefix + #"if virustest :value "ge" :comparator "i;ascii-numeric" "4" { discard; }"#
        #expect(try await SieveFixture.run(script, context: SieveFixture.context(virus: 5)).actions == [.discard])
        #expect(try await SieveFixture.run(script, context: SieveFixture.context(virus: 1)).actions == [.keep(flags: [])])
    }
}
