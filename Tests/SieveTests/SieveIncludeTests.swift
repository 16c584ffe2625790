import Testing

@testable import Sieve

@Suite("Sieve include (RFC 6609)")
struct SieveIncludeTests {
    static let scripts: [String: String] = [
        "personal:spam": #"require "fileinto"; if header :contains "X-Spam" "yes" { fileinto "Junk"; }"#,
        "global:flag": #"require ["variables", "include"]; global "box"; set "box" "FromGlobal";"#,
        "personal:early": #"require ["include", "fileinto"]; fileinto "a"; return; fileinto "b";"#,
        "personal:stopper": "stop;",
        "personal:loop": #"require "include"; include "loop2";"#,
        "personal:loop2": #"require "include"; include "loop";"#,
        "personal:broken": "frob;",
    ]

    static func lookup(_ name: String, _ location: SieveIncludeLocation) -> String? {
        scripts["\(location.rawValue):\(name)"]
    }

    static func run(_ script: String) async throws -> SieveResult {
        try await SieveFixture.run(script, includes: lookup)
    }

    @Test("an included script's actions join the includer's (§3.2)")
    func include() async throws {
        let result = try await Self.run(#"require ["include", "fileinto"]; include "spam"; fileinto "after";"#)
        #expect(
            result.actions == [
                .fileinto(mailbox: "Junk", flags: [], create: false), .fileinto(mailbox: "after", flags: [], create: false),
            ])
    }

    @Test("global variables are shared (§3.5)")
    func globals() async throws {
        let result = try await Self.run(
            #"require ["include", "variables", "fileinto"]; global "box"; include :global "flag"; fileinto "${box}";"#)
        #expect(result.actions == [.fileinto(mailbox: "FromGlobal", flags: [], create: false)])
        let namespace = try await Self.run(
            #"require ["include", "variables", "fileinto"]; include :global "flag"; fileinto "${global.box}";"#)
        #expect(namespace.actions == [.fileinto(mailbox: "FromGlobal", flags: [], create: false)])
    }

    @Test("return ends the included script only; stop ends everything (§3.3)")
    func returnAndStop() async throws {
        let returned = try await Self.run(#"require ["include", "fileinto"]; include "early"; fileinto "c";"#)
        #expect(
            returned.actions == [
                .fileinto(mailbox: "a", flags: [], create: false), .fileinto(mailbox: "c", flags: [], create: false),
            ])
        let stopped = try await Self.run(#"require ["include", "fileinto"]; include "stopper"; fileinto "c";"#)
        #expect(stopped.actions == [.keep(flags: [])])
    }

    @Test(":once runs a script once; :optional skips a missing one (§3.2)")
    func onceAndOptional() async throws {
        let result = try await Self.run(
            #"require ["include", "fileinto"]; include :once "early"; include :once "early"; include :optional "nothere";"#)
        #expect(result.actions == [.fileinto(mailbox: "a", flags: [], create: false)])
    }

    @Test("missing scripts, loops and broken scripts are compile errors")
    func errors() {
        func errors(_ script: String) -> [SieveDiagnostic] {
            do {
                _ = try SieveScript.compile(script, includes: Self.lookup)
                return []
            } catch {
                return error.diagnostics
            }
        }
        #expect(errors(#"require "include"; include "nothere";"#).first?.message.contains("does not exist") == true)
        #expect(errors(#"require "include"; include "loop";"#).first?.message.contains("circular include") == true)
        #expect(errors(#"require "include"; include "broken";"#).first?.message.contains("unknown command 'frob'") == true)
    }

    @Test("an include chain deeper than maxIncludeDepth is refused")
    func depth() {
        let chain: (String, SieveIncludeLocation) -> String? = { name, _ in
            guard let level = Int(name.dropFirst()) else { return nil }
            return "require \"include\"; include \"s\(level + 1)\";"
        }
        #expect(throws: SieveCompileError.self) {
            try SieveScript.compile(#"require "include"; include "s0";"#, includes: chain)
        }
    }
}
