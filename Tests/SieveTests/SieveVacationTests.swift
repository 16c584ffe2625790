import Testing

@testable import Sieve

@Suite("Sieve vacation (RFC 5230, RFC 6131)")
struct SieveVacationTests {
    static func vacation(_ script: String) async throws -> SieveVacation? {
        let result = try await SieveFixture.run(script)
        for case .vacation(let vacation) in result.actions { return vacation }
        return nil
    }

    @Test("defaults: 7 days, derived handle; the implicit keep stays (§4)")
    func defaults() async throws {
        let result = try await SieveFixture.run(#"require "vacation"; vacation "I'm away";"#)
        guard case .vacation(let vacation) = result.actions.first else {
            Issue.record("no vacation")
            return
        }
        #expect(vacation.reason == "I'm away")
        #expect(vacation.seconds == 7 * 86_400)
        #expect(vacation.handle.hasPrefix("vacation-"))
        #expect(result.actions.last == .keep(flags: []))
    }

    @Test("the RFC 5230 §4 example with every parameter")
    func parameters() async throws {
        let vacation = try await Self.vacation(
            #"""
            require "vacation";
            vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"] :subject "Gone" :from "tjs@example.edu"
               :handle "h1" :mime "Away";
            """#)
        #expect(
            vacation
                == SieveVacation(
                    reason: "Away", mime: true, subject: "Gone", from: "tjs@example.edu",
                    addresses: ["tjs@example.edu", "ts4z@landru.example.edu"], seconds: 23 * 86_400, handle: "h1"))
    }

    @Test(":days and :seconds are held to the site's bounds, one day by default (RFC 5230 §4.1, RFC 6131 §2)")
    func periods() async throws {
        #expect(try await Self.vacation(#"require "vacation"; vacation :days 0 "x";"#)?.seconds == 86_400)
        #expect(try await Self.vacation(#"require "vacation"; vacation :days 1000 "x";"#)?.seconds == 365 * 86_400)
        #expect(try await Self.vacation(#"require "vacation-seconds"; vacation :seconds 0 "x";"#)?.seconds == 86_400)
        var limits = SieveLimits()
        limits.vacationMinSeconds = 0
        for (seconds, expected) in [(0, 0), (600, 600)] {
            let result = try await SieveFixture.run(
                #"require "vacation-seconds"; vacation :seconds \#(seconds) "x";"#, limits: limits)
            #expect(
                result.actions.first
                    == .vacation(
                        SieveVacation(reason: "x", seconds: expected, handle: SieveRun.derivedHandle(["x", "", "", "text"]))))
        }
    }

    @Test("the same reason gives the same handle, another reason another (§4.2)")
    func handles() async throws {
        let a = try await Self.vacation(#"require "vacation"; vacation "a";"#)?.handle
        let b = try await Self.vacation(#"require "vacation"; vacation "b";"#)?.handle
        #expect(a == (try await Self.vacation(#"require "vacation"; vacation "a";"#)?.handle))
        #expect(a != b)
    }

    @Test("two vacations in one run are a runtime error")
    func twice() async throws {
        #expect(try await SieveFixture.run(#"require "vacation"; vacation "a"; vacation "b";"#).runtimeError != nil)
    }

    static func blocked(_ header: String, from: String = "alice@example.org", own: [String] = ["bob@example.com"]) -> String? {
        let message = SieveMessage(bytes: Array((header + "\r\n\r\nbody").utf8))
        return SieveVacation.responseBlocked(
            message: message, envelope: SieveEnvelope(from: from, to: "bob@example.com"), ownAddresses: own)
    }

    @Test("replies are blocked for automatic mail and lists (RFC 3834 §2, RFC 5230 §4.5)")
    func responseBlocked() {
        #expect(Self.blocked("To: bob@example.com") == nil)
        #expect(Self.blocked("To: Bob <BOB@example.com>") == nil)
        #expect(Self.blocked("To: bob@example.com", from: "") != nil)
        #expect(Self.blocked("To: bob@example.com", from: "MAILER-DAEMON@example.org") != nil)
        #expect(Self.blocked("To: bob@example.com", from: "owner-list@example.org") != nil)
        #expect(Self.blocked("To: bob@example.com", from: "list-request@example.org") != nil)
        #expect(Self.blocked("To: bob@example.com\r\nAuto-Submitted: auto-replied") != nil)
        #expect(Self.blocked("To: bob@example.com\r\nAuto-Submitted: no") == nil)
        #expect(Self.blocked("To: bob@example.com\r\nPrecedence: bulk") != nil)
        #expect(Self.blocked("To: bob@example.com\r\nList-Id: <x.example.org>") != nil)
        #expect(Self.blocked("To: someone@example.com") != nil)
        #expect(
            Self.blocked("To: someone@example.com\r\nCc: alias@example.com", own: ["bob@example.com", "alias@example.com"]) == nil
        )
    }
}
