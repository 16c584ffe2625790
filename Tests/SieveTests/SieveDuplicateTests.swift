import Testing

@testable import Sieve

@Suite("Sieve duplicate (RFC 7352)")
struct SieveDuplicateTests {
    @Test("a new Message-ID is not a duplicate and is tracked (§3)")
    func firstTime() async throws {
        let result = try await SieveFixture.run(#"require "duplicate"; if duplicate { discard; }"#)
        #expect(result.actions == [.keep(flags: [])])
        #expect(result.duplicateIDs == [SieveDuplicateID(id: "0::<1234@example.org>", seconds: 12 * 3_600)])
    }

    @Test("a seen id is a duplicate and not tracked again without :last")
    func seen() async throws {
        let context = SieveFixture.context(environment: FakeEnvironment(seen: ["0::<1234@example.org>"]))
        let result = try await SieveFixture.run(#"require "duplicate"; if duplicate { discard; }"#, context: context)
        #expect(result.actions == [.discard])
        #expect(result.duplicateIDs.isEmpty)
        let last = try await SieveFixture.run(#"require "duplicate"; if duplicate :last { discard; }"#, context: context)
        #expect(last.duplicateIDs.count == 1)
    }

    @Test(":handle, :uniqueid, :header and :seconds (§3.1-3.3)")
    func arguments() async throws {
        let result = try await SieveFixture.run(
            #"require "duplicate"; if duplicate :handle "h" :uniqueid "u" :seconds 60 { discard; } if duplicate :header "X-None" { discard; }"#
        )
        #expect(result.duplicateIDs == [SieveDuplicateID(id: "1:h:u", seconds: 60)])
        #expect(!SieveFixture.errors(#"require "duplicate"; if duplicate :header "a" :uniqueid "b" { keep; }"#).isEmpty)
    }
}
