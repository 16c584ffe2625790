import Testing

@testable import Sieve

@Suite("Sieve imap4flags (RFC 5232)")
struct SieveFlagsTests {
    @Test("the internal flags go to the implicit keep (§3, §5)")
    func internalFlags() async throws {
        let result = try await SieveFixture.run(
            #"require "imap4flags"; setflag "\\Seen"; addflag ["\\Flagged", "$Work \\seen"]; removeflag "\\Flagged";"#)
        #expect(result.actions == [.keep(flags: ["\\Seen", "$Work"])])
    }

    @Test(":flags on keep and fileinto replace the internal flags (§5)")
    func flagsTag() async throws {
        let result = try await SieveFixture.run(
            #"require ["imap4flags", "fileinto"]; addflag "a"; fileinto :flags "b c" "x"; fileinto "y";"#)
        #expect(
            result.actions == [
                .fileinto(mailbox: "x", flags: ["b", "c"], create: false), .fileinto(mailbox: "y", flags: ["a"], create: false),
            ])
    }

    @Test("hasflag on the internal variable and on variables (§4)")
    func hasflag() async throws {
        let script = #"""
            require ["imap4flags", "variables", "fileinto"];
            addflag "\\Seen";
            addflag "mine" ["one", "two"];
            if hasflag :is "\\seen" { fileinto "seen"; }
            if hasflag :is "mine" "two" { fileinto "two"; }
            if hasflag :is "three" { fileinto "three"; }
            """#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "seen", flags: ["\\Seen"], create: false),
                .fileinto(mailbox: "two", flags: ["\\Seen"], create: false),
            ])
    }

    @Test("a repeated fileinto or keep files once with the last one's flags (as Pigeonhole)")
    func repeatedStore() async throws {
        let script = #"""
            require ["imap4flags", "fileinto"];
            addflag "x"; fileinto "a"; removeflag "x"; fileinto "a";
            fileinto :flags "1" "b"; fileinto :flags "2" "b";
            keep :flags "k"; keep :flags "l";
            """#
        #expect(
            try await SieveFixture.run(script).actions == [
                .fileinto(mailbox: "a", flags: [], create: false), .fileinto(mailbox: "b", flags: ["2"], create: false),
                .keep(flags: ["l"]),
            ])
    }
}
