import Core
import PostaTestSupport
import Sieve
import Testing

/// Storing scripts (ManageSieve's and `posta sieve`'s service): only scripts that compile, at
/// most one active, quotas, names (RFC 5804 §1.6), the active one never deleted.
@Suite struct SieveScriptsTests {
    @Test(arguments: TestDatabases.dialects)
    func storeActivateRenameDelete(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            try await site.scripts.put(accountID: alice.id, name: "main", text: "keep;\n")
            try await site.scripts.put(accountID: alice.id, name: "other", text: "discard;\n")
            try await site.scripts.setActive(accountID: alice.id, name: "main")
            #expect(
                try await site.scripts.list(accountID: alice.id).map { "\($0.name):\($0.active)" } == [
                    "main:true", "other:false",
                ])
            try await site.scripts.setActive(accountID: alice.id, name: "other")
            #expect(try await site.scripts.list(accountID: alice.id).filter(\.active).map(\.name) == ["other"])
            await #expect(throws: SieveStorageError.activeScript("other")) {
                try await site.scripts.delete(accountID: alice.id, name: "other")
            }
            try await site.scripts.rename(accountID: alice.id, from: "other", to: "renamed")
            #expect(try await site.scripts.list(accountID: alice.id).filter(\.active).map(\.name) == ["renamed"])
            await #expect(throws: SieveStorageError.alreadyExists("main")) {
                try await site.scripts.rename(accountID: alice.id, from: "renamed", to: "main")
            }
            try await site.scripts.setActive(accountID: alice.id, name: nil)
            try await site.scripts.delete(accountID: alice.id, name: "renamed")
            #expect(try await site.scripts.get(accountID: alice.id, name: "main") == "keep;\n")
            await #expect(throws: SieveStorageError.noSuchScript("gone")) {
                try await site.scripts.get(accountID: alice.id, name: "gone")
            }
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func onlyScriptsThatCompileAndFit(dialect: Database.Dialect) async throws {
        try await SieveFixture.with(dialect) { site in
            let alice = try await site.account("alice@example.org")
            await #expect {
                try await site.scripts.put(accountID: alice.id, name: "bad", text: "fileinto \"x\";\n")
            } throws: { error in
                guard case .invalidScript(let errors) = error as? SieveStorageError else { return false }
                return errors.first?.contains("fileinto") == true
            }
            #expect(try await site.scripts.list(accountID: alice.id).isEmpty)
            await #expect(throws: SieveStorageError.tooLarge(4096)) {
                try await site.scripts.put(
                    accountID: alice.id, name: "big", text: "#" + String(repeating: "x", count: 5000) + "\n")
            }
            for name in ["a", "b", "c"] { try await site.scripts.put(accountID: alice.id, name: name, text: "keep;") }
            await #expect(throws: SieveStorageError.tooManyScripts(3)) {
                try await site.scripts.put(accountID: alice.id, name: "d", text: "keep;")
            }
            // Replacing one is not a new one.
            try await site.scripts.put(accountID: alice.id, name: "c", text: "discard;")
            await #expect(throws: SieveStorageError.tooManyScripts(3)) {
                try await site.scripts.haveSpace(accountID: alice.id, name: "d", size: 10)
            }
            try await site.scripts.haveSpace(accountID: alice.id, name: "c", size: 10)
        }
    }

    @Test(arguments: [
        "", "a/b", "tab\there", "nul\u{0}", "del\u{7F}", "c1\u{85}", "line\u{2028}", String(repeating: "n", count: 129),
    ])
    func invalidNames(name: String) {
        #expect(throws: SieveStorageError.invalidName(name)) { try SieveScripts.checkName(name) }
    }

    @Test(arguments: ["main", "Vacation rules", "règles", "a.b-c_d"])
    func validNames(name: String) throws {
        try SieveScripts.checkName(name)
    }
}
