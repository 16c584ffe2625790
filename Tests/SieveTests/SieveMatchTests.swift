import Testing

@testable import Sieve

@Suite("Sieve match types and comparators (RFC 5228 §2.7, RFC 4790 §9, RFC 5231)")
struct SieveMatchTests {
    @Test(
        ":matches wildcards and escapes",
        arguments: [
            ("*", "", true), ("a*", "abc", true), ("*c", "abc", true), ("a?c", "abc", true), ("a?c", "ac", false),
            ("*a*b", "xxaxxb", true), ("*a*b", "xxaxxbx", false), ("\\*x", "*x", true), ("\\*x", "ax", false),
            ("a\\?", "a?", true), ("a\\\\b", "a\\b", true), ("h?llo*", "HELLO world", true),
        ])
    func glob(pattern: String, value: String, expected: Bool) {
        #expect((SieveGlob(pattern).match(value, comparator: .asciiCasemap) != nil) == expected)
    }

    @Test("wildcards capture, the earlier ones as little as possible (RFC 5229 §3.2)")
    func captures() {
        #expect(SieveGlob("*<*@*").match("Acme <a@b.c>", comparator: .octet) == ["Acme ", "a", "b.c>"])
        #expect(SieveGlob("?*?").match("abcd", comparator: .octet) == ["a", "bc", "d"])
        #expect(SieveGlob("**").match("ab", comparator: .octet) == ["", "ab"])
    }

    @Test("i;octet is case-sensitive, i;ascii-casemap folds ASCII only")
    func caseFolding() {
        #expect(SieveComparator.octet.isEqual("Abc", "abc") == false)
        #expect(SieveComparator.asciiCasemap.isEqual("Abc", "aBC"))
        #expect(SieveComparator.asciiCasemap.isEqual("É", "é") == false)
        #expect(SieveComparator.asciiCasemap.contains("Hello World", "WORLD"))
    }

    @Test("i;ascii-numeric: leading digits, no digits is infinity (RFC 4790 §9.1)")
    func numeric() {
        let numeric = SieveComparator.asciiNumeric
        #expect(numeric.order("10", "9") == .greater)
        #expect(numeric.order("007", "7") == .equal)
        #expect(numeric.order("12abc", "12") == .equal)
        #expect(numeric.order("abc", "99999999999999999999999") == .greater)
        #expect(numeric.order("abc", "xyz") == .equal)
        #expect(numeric.order("123456789012345678901234567890", "123456789012345678901234567891") == .less)
    }

    @Test("relational :count and :value (RFC 5231 §4)")
    func relational() async throws {
        let script = #"""
            require ["relational", "comparator-i;ascii-numeric", "fileinto"];
            if header :count "ge" :comparator "i;ascii-numeric" "X-Spam" "2" { fileinto "two"; }
            if address :count "eq" :comparator "i;ascii-numeric" ["to", "cc"] "3" { fileinto "three"; }
            if header :value "lt" :comparator "i;ascii-numeric" "Content-Type" "5" { fileinto "inf"; }
            if header :value "gt" "Subject" "Caf" { fileinto "ordered"; }
            """#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "two", flags: [], create: false), .fileinto(mailbox: "three", flags: [], create: false),
                .fileinto(mailbox: "ordered", flags: [], create: false),
            ])
    }

    @Test("address parts and subaddress :user/:detail (RFC 5228 §2.7.4, RFC 5233)")
    func addressParts() async throws {
        let script = #"""
            require ["subaddress", "fileinto"];
            if address :user "from" "alice" { fileinto "user"; }
            if address :detail "from" "lists" { fileinto "detail"; }
            if address :detail "to" "" { fileinto "never"; }
            if address :localpart "from" "alice+lists" { fileinto "local"; }
            if address :domain :is "to" "EXAMPLE.net" { fileinto "domain"; }
            """#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "user", flags: [], create: false), .fileinto(mailbox: "detail", flags: [], create: false),
                .fileinto(mailbox: "local", flags: [], create: false), .fileinto(mailbox: "domain", flags: [], create: false),
            ])
    }

    @Test("header compares decoded values (RFC 5228 §5.7, RFC 2047)")
    func decodedHeader() async throws {
        #expect(try await SieveFixture.run(#"if header :is "subject" "Café meeting" { discard; }"#).actions == [.discard])
    }
}
