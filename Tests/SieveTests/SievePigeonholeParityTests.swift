import Testing

@testable import Sieve

/// Whether a script compiles, as Pigeonhole's `sievec` (with editheader, vacation-seconds, spamtest,
/// spamtestplus and virustest enabled) decided it for each of these scripts.
@Suite("Sieve compile parity with Pigeonhole's sievec")
struct SievePigeonholeParityTests {
    static let cases: [(String, Bool)] = [
        (#"require "include"; global "x";"#, false),
        (#"require ["variables"]; set "global.x" "y";"#, false),
        (#"require "date"; if date :last "date" "year" "2005" {}"#, false),
        (#"require "envelope"; if envelope "auth" "x" {}"#, true),
        (#"require "vacation"; vacation :days 0 "x";"#, true),
        (#"require "editheader"; addheader "Received" "x";"#, true),
        (#"require "imap4flags"; setflag "var" "flag";"#, false),
        (#"require "body"; if body :raw :text "x" {}"#, false),
        (#"require "duplicate"; if duplicate :header "a" :uniqueid "b" {}"#, false),
        (#"if anyof true {}"#, false),
        (#"if not true, false {}"#, false),
        (#"if header :is :comparator "i;octet" "a" "b" {}"#, true),
        (#"require ["include", "variables"]; global "a.b";"#, false),
        (#"require "variables"; set "a" "b" "c";"#, false),
        (#"if header :count "eq" "a" "1" {}"#, false),
        (#"require "relational"; if header :count "eq" "a" "1" {}"#, true),
        (#"require "relational"; if header :value "xx" "a" "1" {}"#, false),
        (#"require "index"; if header :index 0 "a" "b" {}"#, false),
        (#"require ["index", "date"]; if currentdate :index 1 "year" "2005" {}"#, false),
        (#"require "vacation"; vacation :days 1 :seconds 2 "x";"#, false),
        (#"require "vacation-seconds"; vacation :seconds 2 "x";"#, true),
        (#"require "copy"; redirect :copy :copy "a@b.c";"#, false),
        (#"redirect "";"#, false),
        (#"require "fileinto"; fileinto "";"#, true),
        (#"require "variables"; set "a" "${";"#, true),
        (#"require "spamtestplus"; if spamtest :percent :value "gt" :comparator "i;ascii-numeric" "1" {}"#, false),
        (#"require "virustest"; if virustest :value "gt" "1" {}"#, false),
        (#"require "editheader"; deleteheader :matches "x";"#, true),
        (#"require "editheader"; deleteheader :last "x";"#, true),
        (#"require "editheader"; addheader "x y" "v";"#, false),
        (#"require "include"; return;"#, true),
        (#"require "date"; if date :zone "+0100" :originalzone "date" "year" "1" {}"#, false),
    ]

    static let moreCases: [(String, Bool)] = [
        (#"if header :contains "a" ["b", "c"] { stop; }"#, true),
        (#"require "fileinto"; fileinto :flags "x" "box";"#, false),
        (#"if size 100 {}"#, false),
        (#"require "body"; if body :content "text" :contains "x" {}"#, true),
        (#"require "body"; if body :content :contains "x" {}"#, false),
        (#"if exists "a:b" {}"#, true),
        (#"if header "a b" "x" {}"#, true),
        (#"require "imap4flags"; keep :flags ["a", "b"];"#, true),
        (#"require ["vacation"]; vacation :from "not an address" "x";"#, false),
        (#"require ["vacation"]; vacation :addresses "a@b.c" "x";"#, true),
        (#"require "vacation"; vacation "x"; vacation "y";"#, true),
        (#"require "reject"; reject "x"; keep;"#, true),
        (#"stop "x";"#, false),
        (#"discard;;"#, false),
        (#"if true {} elsif {}"#, false),
        (#"require "variables"; if string :matches "a" "b" {}"#, true),
        (#"require "variables"; set :length :quotewildcard "a" "b";"#, true),
        (#"require "variables"; set :lower :upper "a" "b";"#, false),
        (#"if address :all :comparator "i;octet" :matches "from" "*" {}"#, true),
        (#"require "subaddress"; if envelope :user "to" "x" {}"#, false),
        (#"require ["include"]; include :personal :global "x";"#, false),
        (#"require "date"; if date "date" "year" ["2005", "2006"] {}"#, true),
        (#"require "date"; if date "date" "years" "2005" {}"#, true),
        (#"require "date"; if currentdate :zone "+2500" "year" "x" {}"#, true),
        (#"require "mailbox"; if mailboxexists [] {}"#, false),
        (#"require "encoded-character"; redirect "${hex:61}@b.c";"#, true),
        (#"require "spamtest"; if spamtest "1" {}"#, true),
        (#"require "comparator-i;ascii-numeric"; if header :matches :comparator "i;ascii-numeric" "a" "1" {}"#, false),
        (#"require "relational"; if header :count "ge" :contains "a" "1" {}"#, false),
        (#"require "editheader"; addheader :last "X" "y";"#, true),
        (#"require "editheader"; deleteheader :index 1 "X";"#, true),
        (#"require "duplicate"; if duplicate :seconds 0 {}"#, true),
        (#"require "duplicate"; if duplicate :handle ["a", "b"] {}"#, false),
        (#"require "variables"; set "1" "b";"#, false),
        (#"require "variables"; set "a" "${1}";"#, true),
        (#"if header :is "a" "b" {} else {} else {}"#, false),
        (#"if true { keep; }"#, true),
        (#"keep"#, false),
        (#"require ["fileinto", "copy"]; fileinto :copy :create "x";"#, false),
        (#"require "envelope"; if envelope :domain "from" "x" {}"#, true),
        (#"if address :domain "reply-to" "x" {}"#, true),
        (#"if address :domain "X-Original-To" "x" {}"#, true),
        (#"if address :domain "delivered-to" "x" {}"#, true),
        (#"require "imap4flags"; if hasflag "x" {}"#, true),
        (#"require ["imap4flags", "variables"]; if hasflag ["a", "b"] "x" {}"#, true),
        (#"require "vacation"; vacation :mime :handle "h" :subject "s" "x";"#, true),
        (#"require "vacation"; vacation :days "1" "x";"#, false),
    ]

    @Test("accepts and refuses what sievec does", arguments: Self.cases + Self.moreCases)
    func parity(script: String, compiles: Bool) {
        let errors = SieveFixture.errors(script)
        #expect(errors.isEmpty == compiles, "\(errors)")
    }
}
