import Foundation
import Testing

@testable import MailAuth

/// The ARC cases of the test data shipped with dkimpy and authheaders (`arc.json`, written by
/// `.ci/fetch-dkim-suite` from their test modules): each sealed message validates as the module
/// says, with the module's key table.
///
/// Not run, and why:
/// - authheaders' `test_arc_sign`: its expected ARC fields are compared with every white space
///   removed (`b"".join(x.split())`), which changes what the seal signs, so they cannot be
///   validated; and it tests sealing, which Posta does not do (issue 14: "sealing can wait").
@Suite("dkimpy and authheaders ARC test data")
struct ARCSuiteTests {
    /// `message` is `module:function:variable`: the sealed message, or the ARC fields to put on
    /// `dkimpy:test.message`.
    typealias Case = DKIMSuiteTests.Signed<ARCChainStatus>

    static let cases: [Case] = [
        Case(
            message: "test_arc.py:test_signs_and_verifies:expected_sig", keys: "test_arc.py:dnsfunc", expected: .pass,
            why: "dkimpy's arc_sign of test.message, i=1 (test_signs_and_verifies)"),
        Case(
            message: "test_arc.py:test_fails_h_in_as:sig_lines", keys: "test_arc.py:dnsfunc", expected: .fail,
            why: "an ARC-Seal with h= (RFC 8617 section 4.1.3, test_fails_h_in_as)"),
        Case(
            message: "test_authentication.py:test_arc_pass:msg", keys: "test_authentication.py:dnsfuncb", expected: .pass,
            why: "authheaders' sealed message (test_arc_pass)"),
        Case(
            message: "test_authentication.py:test_chain_validation_fail:msg", keys: "test_authentication.py:dnsfuncb",
            expected: .fail, why: "the body changed after sealing (test_chain_validation_fail)"),
    ]

    @Test func sealedMessagesValidateAsTheModulesSay() async throws {
        let suite = try DKIMSuite.load()
        var failures: [String] = []
        for test in Self.cases {
            let parts = test.message.split(separator: ":").map(String.init)
            var text = try #require(suite.arc[parts[0]]?[parts[1]]?[parts[2]], "\(test)")
            // dkimpy's cases are the ARC fields alone, put on top of test.message as its tests do.
            if parts[0] == "test_arc.py" { text += String(decoding: try suite.file("dkimpy:test.message"), as: UTF8.self) }
            let message = DKIMMessageHeader.normalizingLineEnds(Array(text.utf8))
            let result = await ARCVerifier(dns: KeyZone(try suite.table(test.keys))).verify(
                message: message, now: DKIMSuiteTests.now)
            if result.status != test.expected {
                failures.append("\(test): got \(result.status) (\(result.reason ?? "-")), expected \(test.expected)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Self.cases.count):\n\(failures.joined(separator: "\n"))")
    }

    /// Every function of the modules that holds ARC fields is a case above or named here.
    @Test func everyARCCaseIsAccountedFor() throws {
        let suite = try DKIMSuite.load()
        let notRun = ["test_authentication.py:test_arc_sign": "sealing, white space stripped (see above)"]
        let functions = Set(suite.arc.flatMap { module, functions in functions.keys.map { "\(module):\($0)" } })
        let used = Set(Self.cases.map { $0.message.split(separator: ":").prefix(2).joined(separator: ":") })
        #expect(functions == used.union(notRun.keys))
    }
}
