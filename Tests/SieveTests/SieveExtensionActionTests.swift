import Testing

@testable import Sieve

@Suite("Sieve fileinto, reject, copy, mailbox (RFC 5228 §4.1, RFC 5429, RFC 3894, RFC 5490)")
struct SieveExtensionActionTests {
    @Test("reject cancels the implicit keep; ereject is extended (RFC 5429 §2.1)")
    func reject() async throws {
        #expect(
            try await SieveFixture.run(#"require "reject"; reject "go away";"#).actions == [
                .reject(reason: "go away", extended: false)
            ])
        #expect(
            try await SieveFixture.run(#"require "ereject"; ereject "no";"#).actions == [
                .reject(reason: "no", extended: true)
            ])
    }

    @Test("reject with a delivering action is a runtime error (RFC 5429 §2.2)")
    func rejectConflicts() async throws {
        let result = try await SieveFixture.run(#"require ["reject", "fileinto"]; fileinto "x"; reject "no";"#)
        #expect(result.runtimeError != nil)
        let keepFirst = try await SieveFixture.run(#"require "reject"; keep; reject "no";"#)
        #expect(keepFirst.runtimeError != nil)
        let rejectDiscard = try await SieveFixture.run(#"require "reject"; reject "no"; discard;"#)
        #expect(rejectDiscard.runtimeError == nil)
    }

    @Test(":copy keeps the implicit keep (RFC 3894 §3)")
    func copy() async throws {
        let result = try await SieveFixture.run(
            #"require ["copy", "fileinto"]; fileinto :copy "x"; redirect :copy "a@example.com";"#)
        #expect(
            result.actions == [
                .fileinto(mailbox: "x", flags: [], create: false), .redirect(address: "a@example.com"), .keep(flags: []),
            ])
    }

    @Test("mailboxexists asks the environment; fileinto :create (RFC 5490 §3)")
    func mailbox() async throws {
        let script = #"""
            require ["mailbox", "fileinto"];
            if mailboxexists ["INBOX", "Lists"] { fileinto "Lists"; } else { fileinto :create "New"; }
            """#
        #expect(try await SieveFixture.run(script).actions == [.fileinto(mailbox: "New", flags: [], create: true)])
        let context = SieveFixture.context(environment: FakeEnvironment(mailboxes: ["INBOX", "Lists"]))
        #expect(
            try await SieveFixture.run(script, context: context).actions == [
                .fileinto(mailbox: "Lists", flags: [], create: false)
            ])
    }

    @Test("envelope compares the SMTP envelope; the null sender is empty (RFC 5228 §5.4)")
    func envelope() async throws {
        let script = #"require "envelope"; if envelope :domain "from" "example.org" { discard; }"#
        #expect(try await SieveFixture.run(script).actions == [.discard])
        let null = #"require "envelope"; if envelope :localpart :is "from" "" { discard; }"#
        #expect(try await SieveFixture.run(null, context: SieveFixture.context(from: "")).actions == [.discard])
        #expect(try await SieveFixture.run(null).actions == [.keep(flags: [])])
    }

    @Test("redirect takes a display name and normalizes to the address; two addresses are refused")
    func redirectForms() async throws {
        #expect(
            try await SieveFixture.run(#"redirect "\"Doe, John\" <john@example.com>";"#).actions == [
                .redirect(address: "john@example.com")
            ])
        #expect(!SieveFixture.errors(#"redirect "a@example.com, b@example.com";"#).isEmpty)
        #expect(!SieveFixture.errors(#"redirect "a@";"#).isEmpty)
    }
}
