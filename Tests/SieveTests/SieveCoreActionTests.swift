import Testing

@testable import Sieve

@Suite("Sieve actions and the implicit keep (RFC 5228 §2.10, §4)")
struct SieveCoreActionTests {
    @Test("an empty script keeps (§2.10.2)")
    func implicitKeep() async throws {
        let result = try await SieveFixture.run("")
        #expect(result.actions == [.keep(flags: [])])
        #expect(result.runtimeError == nil)
    }

    @Test("discard cancels the implicit keep (§4.4)")
    func discard() async throws {
        #expect(try await SieveFixture.run("discard;").actions == [.discard])
    }

    @Test("an explicit keep is the keep; discard does not cancel it (§4.3)")
    func explicitKeep() async throws {
        #expect(try await SieveFixture.run("keep; discard;").actions == [.keep(flags: []), .discard])
    }

    @Test("redirect cancels the implicit keep; the same address only once (§4.2, §2.10.3)")
    func redirect() async throws {
        let result = try await SieveFixture.run(#"redirect "a@example.com"; redirect "a@example.com";"#)
        #expect(result.actions == [.redirect(address: "a@example.com")])
    }

    @Test("stop ends the script; the implicit keep still applies (§3.3)")
    func stop() async throws {
        #expect(try await SieveFixture.run("stop; discard;").actions == [.keep(flags: [])])
    }

    @Test("if/elsif/else takes the first true branch (§3.1)")
    func conditional() async throws {
        let script = """
            require "fileinto";
            if header :contains "subject" "nothing" { fileinto "a"; }
            elsif header :contains "subject" "café" { fileinto "b"; }
            else { fileinto "c"; }
            """
        #expect(try await SieveFixture.run(script).actions == [.fileinto(mailbox: "b", flags: [], create: false)])
    }

    @Test("fileinto the same mailbox twice files once (§2.10.3)")
    func duplicateFileinto() async throws {
        let script = #"require "fileinto"; fileinto "x"; fileinto "x"; keep; fileinto "INBOX";"#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "x", flags: [], create: false), .keep(flags: []),
            ])
    }

    @Test("the RFC 5228 §9 example script")
    func rfcExample() async throws {
        let script = """
            require "fileinto";
            if header :is "Sender" "owner-ietf-mta-filters@imc.org"
                    {
                    fileinto "filter";  # move to "filter" mailbox
                    }
            #
            # Keep all messages to or from people in my company
            #
            elsif address :DOMAIN :is ["From", "To"] "example.com"
                    {
                    keep;               # keep in "In" mailbox
                    }

            #
            # Try and catch unsolicited email.  If a message is not to me,
            # or it contains a subject known to be spam, file it away.
            #
            elsif anyof (NOT address :all :contains
                           ["To", "Cc", "Bcc"] "me@example.com",
                         header :matches "subject"
                           ["*make*money*fast*", "*university*dipl*mas*"])
                    {
                    fileinto "spam";   # move to "spam" mailbox
                    }
            else
                    {
                    # Move all other (non-company) mail to "personal"
                    # mailbox.
                    fileinto "personal";
                    }
            """
        // To: bob@example.com is in the company.
        #expect(try await SieveFixture.run(script).actions == [.keep(flags: [])])
        let stranger = SieveFixture.message.replacingOccurrences(of: "bob@example.com", with: "me@example.net")
            .replacingOccurrences(of: "dave@example.com", with: "me@example.com")
        #expect(
            try await SieveFixture.run(script, message: stranger).actions == [
                .fileinto(mailbox: "personal", flags: [], create: false)
            ])
    }

    @Test("more than maxRedirects redirects is a runtime error")
    func redirectLimit() async throws {
        let script = (1...10_000).map { #"redirect "u\#($0)@example.com";"# }.joined(separator: "\n")
        let result = try await SieveFixture.run(script)
        #expect(result.runtimeError?.contains("redirect") == true)
    }

    @Test("more than maxActions actions is a runtime error")
    func actionLimit() async throws {
        let script = "require \"fileinto\";\n" + (1...40).map { #"fileinto "box\#($0)";"# }.joined(separator: "\n")
        let result = try await SieveFixture.run(script)
        #expect(result.runtimeError?.contains("policy limit (32)") == true)
    }

    @Test("a redirect address from a variable that is invalid is a runtime error")
    func invalidRedirect() async throws {
        let result = try await SieveFixture.run(#"require "variables"; set "a" "nobody"; redirect "${a}";"#)
        #expect(result.runtimeError?.contains("invalid") == true)
    }

    @Test("size :over and :under (§5.9)")
    func size() async throws {
        #expect(try await SieveFixture.run("if size :over 100 { discard; }").actions == [.discard])
        #expect(try await SieveFixture.run("if size :under 1K { discard; }").actions == [.discard])
        #expect(try await SieveFixture.run("if size :over 1M { discard; }").actions == [.keep(flags: [])])
    }

    @Test("exists needs every field (§5.5)")
    func exists() async throws {
        #expect(try await SieveFixture.run(#"if exists ["From", "To"] { discard; }"#).actions == [.discard])
        #expect(try await SieveFixture.run(#"if exists ["From", "X-None"] { discard; }"#).actions == [.keep(flags: [])])
    }

    @Test("allof, anyof, not, true and false (§5.2, §5.3, §5.8)")
    func logic() async throws {
        #expect(try await SieveFixture.run("if allof (true, not false) { discard; }").actions == [.discard])
        #expect(try await SieveFixture.run("if anyof (false, false) { discard; }").actions == [.keep(flags: [])])
    }
}
