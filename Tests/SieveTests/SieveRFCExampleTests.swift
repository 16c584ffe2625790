import Foundation
import Testing

@testable import Sieve

/// Scripts from the RFCs' own examples, run on the fixture message.
@Suite("Sieve RFC example scripts")
struct SieveRFCExampleTests {
    @Test("RFC 5229 §4.1: modifiers, and :quotewildcard making a value a literal pattern")
    func variables() async throws {
        let message = "To: bob@example.com\r\nSubject: [acme-users] [fwd] version 1.0 is out\r\n\r\nbody"
        let script = #"""
            require ["variables", "fileinto"];
            set :lower :upperfirst "name" "BARRY";
            set "a" "juMBlEd lEttERS";
            set :quotewildcard "b" "Rock*";
            if string :matches "Rocky" "${b}" { fileinto "wildcard-not-quoted"; }
            if string :matches "Rock*" "${b}" { fileinto "${name}-${a}"; }
            """#
        #expect(
            try await SieveFixture.run(script, message: message).actions == [
                .fileinto(mailbox: "Barry-juMBlEd lEttERS", flags: [], create: false)
            ])
    }

    @Test("RFC 5232 §6: flags from a test carried into fileinto")
    func imap4flags() async throws {
        let script = #"""
            require ["imap4flags", "fileinto"];
            if size :over 100 {
                addflag "\\Deleted";
            }
            if header :contains "from" "alice" {
                addflag "\\Flagged";
                fileinto "From Alice";
            }
            """#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "From Alice", flags: ["\\Deleted", "\\Flagged"], create: false)
            ])
    }

    @Test("RFC 5260 §5: currentdate in a vacation window")
    func currentdate() async throws {
        let script = #"""
            require ["date", "relational", "vacation"];
            if allof(currentdate :value "ge" "date" "2005-08-01",
                     currentdate :value "le" "date" "2005-08-31")
            { vacation :days 7 "I'm away during August."; }
            """#
        let result = try await SieveFixture.run(script)
        guard case .vacation(let vacation) = result.actions.first else {
            Issue.record("expected a vacation action, got \(result.actions)")
            return
        }
        #expect(vacation.reason == "I'm away during August.")
    }

    @Test("RFC 5173 §7: body :content and :text")
    func body() async throws {
        let script = #"""
            require ["body", "fileinto"];
            if body :text :contains "meeting is at noon" { fileinto "meetings"; }
            """#
        #expect(
            try await SieveFixture.run(script).actions == [.fileinto(mailbox: "meetings", flags: [], create: false)])
    }

    @Test("RFC 5233 §5: subaddress routing by :detail")
    func subaddress() async throws {
        let script = #"""
            require ["envelope", "subaddress", "fileinto", "variables"];
            if envelope :detail :matches "to" "*" { fileinto "inbox.${1}"; }
            """#
        let context = SieveFixture.context(to: "bob+Lists.ietf@example.com")
        #expect(
            try await SieveFixture.run(script, context: context).actions == [
                .fileinto(mailbox: "inbox.Lists.ietf", flags: [], create: false)
            ])
        #expect(try await SieveFixture.run(script).actions == [.keep(flags: [])])
    }

    @Test("RFC 5231 §5: :count of recipients")
    func relational() async throws {
        let script = #"""
            require ["relational", "comparator-i;ascii-numeric", "fileinto"];
            if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "3" { fileinto "SPAM"; }
            """#
        #expect(try await SieveFixture.run(script).actions == [.fileinto(mailbox: "SPAM", flags: [], create: false)])
    }

    @Test("Pigeonhole agrees: wildcard captures of \"*?*] *\"")
    func pigeonholeCaptures() {
        #expect(
            SieveGlob("*?*] *").match("[acme-users] [fwd] version 1.0 is out", comparator: .asciiCasemap) == [
                "", "[", "acme-users", "[fwd] version 1.0 is out",
            ])
    }

    @Test("runtime errors name the line")
    func runtimeErrorLine() async throws {
        let result = try await SieveFixture.run("require \"variables\";\nset \"a\" \"x\";\n\nredirect \"${a}\";")
        #expect(result.runtimeError?.hasPrefix("line 4: ") == true)
    }

    @Test("a clock outside years 1-9999 does not crash currentdate")
    func hostileClock() async throws {
        var context = SieveFixture.context()
        context.now = Date(timeIntervalSince1970: .infinity)
        context.localZoneOffsetMinutes = .max
        let compiled = try SieveScript.compile(#"require "date"; if currentdate :is "year" "1970" { discard; }"#)
        let result = await compiled.run(SieveMessage(bytes: Array(SieveFixture.message.utf8)), context)
        #expect(result.actions == [.discard])
    }
}
