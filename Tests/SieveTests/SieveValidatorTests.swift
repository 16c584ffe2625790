import Testing

@testable import Sieve

@Suite("Sieve validation (RFC 5228 §2.6, §3.2, §8.3)")
struct SieveValidatorTests {
    @Test("an extension used without require is an error (§3.2)")
    func missingRequire() {
        let errors = SieveFixture.errors("fileinto \"x\";")
        #expect(errors.count == 1)
        #expect(errors[0].message.contains("\"fileinto\" extension is not required"))
    }

    @Test("unknown extensions, commands, tests and tags are compile errors")
    func unknowns() {
        #expect(
            SieveFixture.errors("require \"nonsense\";").first?.message == "require command: unknown Sieve capability 'nonsense'")
        #expect(SieveFixture.errors("frobnicate;").first?.message == "unknown command 'frobnicate'")
        #expect(SieveFixture.errors("if frob { keep; }").first?.message == "unknown test 'frob'")
        #expect(
            SieveFixture.errors("if header :frob \"a\" \"b\" { keep; }").first?.message == "unknown tag :frob for the header test"
        )
    }

    @Test("many errors are reported, each at its line")
    func manyErrors() {
        let errors = SieveFixture.errors("frob;\nkeep \"x\";\nif true { bar; }\n")
        #expect(errors.map(\.line) == [1, 2, 3])
    }

    @Test("argument counts and types are checked")
    func argumentTypes() {
        #expect(!SieveFixture.errors("redirect;").isEmpty)
        #expect(!SieveFixture.errors("redirect [\"a@b.c\", \"d@e.f\"];").isEmpty)
        #expect(!SieveFixture.errors("if size :over \"1\" { keep; }").isEmpty)
        #expect(!SieveFixture.errors("if header \"a\" { keep; }").isEmpty)
        #expect(!SieveFixture.errors("keep { stop; }").isEmpty)
        #expect(!SieveFixture.errors("if true keep;").isEmpty)
    }

    @Test("one match type, one comparator, one address part")
    func oneOfEach() {
        #expect(!SieveFixture.errors("if header :is :contains \"a\" \"b\" { keep; }").isEmpty)
        #expect(!SieveFixture.errors("if address :all :domain \"from\" \"b\" { keep; }").isEmpty)
        #expect(
            !SieveFixture.errors(#"if header :comparator "i;octet" :comparator "i;octet" "a" "b" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors("if size :over 1 :under 2 { keep; }").isEmpty)
    }

    @Test("elsif and else must follow if (§3.1)")
    func ifStructure() {
        #expect(SieveFixture.errors("else { keep; }").first?.message == "the else command must follow an if or elsif command")
        #expect(!SieveFixture.errors("if true { keep; } else { stop; } elsif true { keep; }").isEmpty)
        #expect(SieveFixture.errors("if false { keep; } elsif true { stop; } else { discard; }").isEmpty)
    }

    @Test("require only at the top of the script (§3.2)")
    func requirePlacement() {
        #expect(!SieveFixture.errors("keep;\nrequire \"fileinto\";").isEmpty)
        #expect(!SieveFixture.errors("if true { require \"fileinto\"; }").isEmpty)
    }

    @Test("comparators: i;ascii-numeric needs its require; unknown ones are errors (RFC 4790 §9)")
    func comparators() {
        #expect(!SieveFixture.errors(#"if header :comparator "i;ascii-numeric" "a" "1" { keep; }"#).isEmpty)
        #expect(
            SieveFixture.errors(
                #"require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" "a" "1" { keep; }"#
            ).isEmpty)
        #expect(
            SieveFixture.errors(#"if header :comparator "i;frob" "a" "1" { keep; }"#).map(\.message) == [
                "unknown comparator 'i;frob'"
            ])
        #expect(
            !SieveFixture.errors(
                #"require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "a" "1" { keep; }"#
            ).isEmpty)
    }

    @Test("tags from extensions need their require")
    func extensionTags() {
        #expect(!SieveFixture.errors(#"redirect :copy "a@example.com";"#).isEmpty)
        #expect(SieveFixture.errors(#"require "copy"; redirect :copy "a@example.com";"#).isEmpty)
        #expect(!SieveFixture.errors(#"if header :count "eq" "to" "1" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors(#"if address :user "to" "bob" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors(#"if header :index 1 "to" "bob" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors(#"require "index"; if header :last "to" "bob" { keep; }"#).isEmpty)
    }

    @Test("constant arguments are checked: redirect address, address headers, envelope parts, size")
    func constants() {
        #expect(SieveFixture.errors(#"redirect "not an address";"#).first?.message.contains("invalid") == true)
        #expect(!SieveFixture.errors(#"if address "subject" "x" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors("if size 100 { keep; }").isEmpty)
        #expect(!SieveFixture.errors(#"require "envelope"; if envelope "bcc" "x" { keep; }"#).isEmpty)
        #expect(!SieveFixture.errors(#"require "variables"; set "1x" "y";"#).isEmpty)
    }

    @Test("the extensions a script requires are reported")
    func extensions() throws {
        let script = try SieveScript.compile(#"require ["fileinto", "vacation-seconds"]; keep;"#)
        #expect(script.extensions == ["fileinto", "vacation-seconds", "vacation"])
    }
}
