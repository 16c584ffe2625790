import Foundation
import Testing

@testable import MailAuth

/// The DKIM test data shipped with dkimpy and authheaders (fetched by `.ci/fetch-dkim-suite`):
/// messages signed by dkimpy, Gmail, Exim and the RFC 8463 authors verify as dkimpy's own tests
/// say they do, with the key records those tests define; and every key of the data, in every
/// format it comes in, signs the data's messages in all four canonicalizations so that the
/// data's key records verify them.
///
/// Not run here, and why:
/// - dkimpy's `test_arc.py` and authheaders' ARC tests: in `ARCSuiteTests`.
/// - dkimpy's tests of its own API (`test_dkim_generate.py` key generation, `test_dnsplug.py`,
///   `test_util.py`, `test_crypto.py`, `fold()`) and authheaders' DMARC and SPF tests: they test
///   no DKIM data, so there is nothing for Posta to verify.
/// - The 512-bit key `example._domainkey.canonical.com` of `test_dkim_signature_canonicalization`:
///   dkimpy accepts it only with `minkey=512`; Posta refuses keys under 1024 bits (RFC 8301), which
///   `weakKeyIsRefused` checks. Its private key lives in the test's code, not in the data.
/// - `test_l_verify` appends text after signing with `l=` and expects a pass; Posta reports
///   `policy` for that by design (docs/dkim.md), which `bodyLengthDiffersByDesign` checks.
@Suite("dkimpy and authheaders DKIM test data")
struct DKIMSuiteTests {
    static let now: Int64 = 1_780_000_000

    /// A message of the data that carries signatures, the key table to verify it with, and the
    /// result of each signature, top to bottom (or, for ARC, of the chain).
    struct Signed<Expected: Sendable>: CustomStringConvertible, Sendable {
        var message: String
        var keys: String
        var expected: Expected
        var why: String
        var description: String { "\(message) with \(keys): \(why)" }
    }

    static let signed: [Signed<[DKIMResult]>] = [
        Signed(
            message: "dkimpy:rfc6376.signed.msg", keys: "test_dkim.py:dnsfunc5", expected: [.pass, .pass],
            why: "the RFC 8463 message signed simple/simple with both RFC keys (test_double_previous_verifies)"),
        Signed(
            message: "dkimpy:rfc6376.signed.msg", keys: "test_dkim_ed25519.py:dnsfunc", expected: [.pass, .permerror],
            why: "that table has the Ed25519 key only: no key record for the RSA signature"),
        Signed(
            message: "dkimpy:rfc6376.signed.rsa.msg", keys: "test_dkim.py:dnsfunc5", expected: [.pass],
            why: "RSA signature of the RFC message"),
        Signed(
            message: "dkimpy:rfc6376.signed.rsa.msg", keys: "test_dkim.py:dnsfunc6", expected: [.permerror],
            why: "a defective public key (test_catch_bad_key)"),
        Signed(
            message: "dkimpy:rfc6376.signed.no_t.msg", keys: "test_dkim.py:dnsfunc5", expected: [.fail],
            why: "no t=, a distant x=; the signature does not verify (test_no_t)"),
        Signed(
            message: "dkimpy:test2.message", keys: "test_dkim.py:dnsfunc", expected: [.pass],
            why: "Gmail's signature with degenerate (tab-only) folding (test_degenerate_folding)"),
        Signed(
            message: "dkimpy:test.message.baddomain", keys: "test_dkim.py:dnsfunc7", expected: [.permerror],
            why: "d=legitimate.com(.attacker.com is not a domain name (test_invalid_domain_verify)"),
        Signed(
            message: "dkimpy:ed25519test2.msg", keys: "test_dkim_ed25519.py:dnsfunc", expected: [.pass],
            why: "Ed25519 signature made by Exim's implementation (test_verify_third_party)"),
        Signed(
            message: "dkimpy:message.mbox", keys: "test_dkim.py:dnsfunc", expected: [.permerror],
            why: "kitterman.com's key is in no table (test_extra_headers signs the message again)"),
        Signed(
            message: "authheaders:test.message_signed", keys: "test_authentication.py:dnsfunc", expected: [.pass],
            why: "authheaders' signed message (test_authenticate_dkim)"),
        Signed(
            message: "authheaders:testcomma.message", keys: "test_authentication.py:dnsfunc", expected: [.pass],
            why: "a From with a comma in its display name (test_authenticate_dmarc_comma)"),
        Signed(
            message: "authheaders:test.message_multi", keys: "test_authentication.py:dnsfunc", expected: [.fail],
            why: "a second From added after signing (test_authenticate_dmarc_mult_from)"),
        Signed(
            message: "authheaders:test.message_multi2", keys: "test_authentication.py:dnsfunc", expected: [.fail],
            why: "a second From added after signing (test_authenticate_dmarc_mult_from2)"),
        Signed(
            message: "authheaders:test.message_sub", keys: "test_authentication.py:dnsfunc", expected: [.fail],
            why: "From changed to a subdomain after signing (test_authenticate_dmarc_sub)"),
        Signed(
            message: "authheaders:test.message_np1", keys: "test_authentication.py:dnsfunc", expected: [.permerror],
            why: "d=example.biz has no key record (test_authenticate_dmarc_np1)"),
        Signed(
            message: "authheaders:test.message_np2", keys: "test_authentication.py:dnsfunc", expected: [.permerror],
            why: "d=example.biz has no key record (test_authenticate_dmarc_np2)"),
    ]

    @Test func signedMessagesVerifyAsDkimpySays() async throws {
        let suite = try DKIMSuite.load()
        var failures: [String] = []
        for test in Self.signed {
            let message = DKIMMessageHeader.normalizingLineEnds(try suite.file(test.message))
            let verifier = DKIMVerifier(dns: KeyZone(try suite.table(test.keys)))
            let results = await verifier.verify(message: message, now: Self.now)
            if results.map(\.result) != test.expected {
                failures.append("\(test): got \(results.map { "\($0.result) (\($0.reason ?? "-"))" }), expected \(test.expected)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Self.signed.count):\n\(failures.joined(separator: "\n"))")
    }

    /// A private key of the data, a key record of the data for it, and what verifying gives.
    struct Key: CustomStringConvertible {
        var privateKey: String
        var name: String
        var record: String
        var expected: DKIMResult
        var why: String
        var description: String { "\(privateKey) as \(name) (\(record)): \(why)" }
    }

    static let keys: [Key] = [
        Key(
            privateKey: "dkimpy:test.private", name: "test._domainkey.example.com", record: "test_dkim.py:dnsfunc",
            expected: .pass, why: "1024-bit PKCS#1 key, record test.txt (test_verifies)"),
        Key(
            privateKey: "dkimpy:test2.private", name: "test._domainkey.example.com", record: "test_dkim.py:dnsfunc2",
            expected: .pass, why: "record test2.txt has no k= (test_implicit_k)"),
        Key(
            privateKey: "authheaders:test.private", name: "test._domainkey.example.com",
            record: "test_authentication.py:dnsfunc", expected: .pass, why: "authheaders' key and record"),
        Key(
            privateKey: "dkimpy:test.private", name: "test._domainkey.example.com", record: "test_dkim.py:dnsfunc3",
            expected: .permerror, why: "badversion.txt: v=DKIM1: is not v=DKIM1 (test_bad_version)"),
        Key(
            privateKey: "dkimpy:test.private", name: "test._domainkey.example.com", record: "test_dkim.py:dnsfunc4",
            expected: .permerror, why: "badk.txt: k=ed25519-sha256 is no key type (test_unknown_k)"),
        Key(
            privateKey: "dkimpy:test.private", name: "test._domainkey.example.com", record: "test_dkim_tlsrpt.py:dnsfunc6",
            expected: .permerror, why: "test_tlsrpt.txt: s=tlsrpt, not for e-mail (test_ignores_tlsrptsvc)"),
        Key(
            privateKey: "dkimpy:test.private", name: "test._domainkey.example.com", record: "file:dkimpy:test_bad.txt",
            expected: .permerror, why: "test_bad.txt: p= damaged"),
        Key(
            privateKey: "dkimpy:1024_testkey.key", name: "test._domainkey.example.com",
            record: "test_dkim_rsavariants.py:dnsfunc", expected: .pass,
            why: "SubjectPublicKeyInfo 1024 (test_verifies_SubjectPublicKeyInfo1024)"),
        Key(
            privateKey: "dkimpy:1024_testkey.key", name: "test2._domainkey.example.com",
            record: "test_dkim_rsavariants.py:dnsfunc", expected: .pass, why: "PKCS#1 RSAPublicKey in p= (1024)"),
        Key(
            privateKey: "dkimpy:2048_testkey.key", name: "test3._domainkey.example.com",
            record: "test_dkim_rsavariants.py:dnsfunc", expected: .pass, why: "SubjectPublicKeyInfo 2048"),
        Key(
            privateKey: "dkimpy:2048_testkey.key", name: "test4._domainkey.example.com",
            record: "test_dkim_rsavariants.py:dnsfunc", expected: .pass, why: "PKCS#1 RSAPublicKey in p= (2048)"),
        Key(
            privateKey: "dkimpy:2048_testkey_PKCS8.key", name: "test5._domainkey.example.com",
            record: "test_dkim_rsavariants.py:dnsfunc", expected: .pass, why: "PKCS#8 private key (2048)"),
        Key(
            privateKey: "dkimpy:ed25519test.key", name: "test._domainkey.example.net",
            record: "test_dkim_ed25519.py:dnsfunc", expected: .pass, why: "Ed25519 seed and ed25519test.dns"),
        Key(
            privateKey: "dkimpy:rfc8032_7_1.key", name: "brisbane._domainkey.football.example.com",
            record: "test_dkim_ed25519.py:dnsfunc", expected: .pass, why: "the RFC 8032 §7.1 key (test_rfc8032_verifies)"),
        Key(
            privateKey: "dkimpy:ed25519test.key", name: "sed._domainkey.test.ex", record: "test_dkim_ed25519.py:dnsfunc",
            expected: .fail, why: "eximtest.dns holds another Ed25519 key"),
    ]

    /// The messages of the data that are signed with every key.
    static let messages = [
        "dkimpy:test.message", "dkimpy:test_extra.message", "dkimpy:rfc6376.msg", "dkimpy:rfc6376.w1258.msg",
        "dkimpy:message.mbox", "dkimpy:ed25519test.msg", "authheaders:test.message", "authheaders:test.gov.message",
        // Its From has no address (a DMARC test), which does not stop DKIM signing.
        "authheaders:test.nofrom.message",
    ]

    @Test func dataKeysSignDataMessages() async throws {
        let suite = try DKIMSuite.load()
        var failures: [String] = []
        var count = 0
        for key in Self.keys {
            let privateKey = try DKIMPrivateKey(pem: try suite.text(key.privateKey))
            let record: String
            if key.record.hasPrefix("file:") {
                record = try suite.text(String(key.record.dropFirst(5)))
            } else {
                record = try #require(try suite.table(key.record)[key.name], "\(key)")
            }
            let labels = key.name.components(separatedBy: "._domainkey.")
            for reference in Self.messages {
                let message = DKIMMessageHeader.normalizingLineEnds(try suite.file(reference))
                for header in DKIMCanonicalization.allCases {
                    for body in DKIMCanonicalization.allCases {
                        count += 1
                        let signer = try DKIMSigner(
                            key: privateKey, domain: labels[1], selector: labels[0],
                            canonicalization: DKIMCanonicalizations(header: header, body: body))
                        let signed = Array(try signer.sign(message: message, time: Self.now).utf8) + message
                        let results = await DKIMVerifier(dns: KeyZone([key.name: record])).verify(message: signed, now: Self.now)
                        // Messages already signed keep their old signatures below Posta's.
                        if results.first?.result != key.expected {
                            failures.append(
                                "\(key), \(reference) \(header)/\(body): \(results.first.map { "\($0.result) (\($0.reason ?? "-"))" } ?? "none")"
                            )
                        }
                    }
                }
            }
        }
        #expect(count == Self.keys.count * Self.messages.count * 4)
        #expect(failures.isEmpty, "\(failures.count) of \(count):\n\(failures.joined(separator: "\n"))")
    }

    @Test func messagesWithoutFromAreNotSigned() throws {
        let suite = try DKIMSuite.load()
        let signer = try DKIMSigner(
            key: DKIMPrivateKey(pem: try suite.text("dkimpy:test.private")), domain: "example.com", selector: "test")
        // test_no_from_fails.
        let message = DKIMMessageHeader.normalizingLineEnds(try suite.file("dkimpy:test_nofrom.message"))
        #expect(throws: DKIMSigningError.self) { try signer.sign(message: message, time: Self.now) }
        // test_invalid_domain_sign: a d= that is no domain name is refused before signing.
        #expect(throws: DKIMSigningError.self) {
            try DKIMSigner(
                key: DKIMPrivateKey(pem: try suite.text("dkimpy:test.private")), domain: "legitimate.com(.attacker.com",
                selector: "test")
        }
    }

    @Test func weakKeyIsRefused() async throws {
        let suite = try DKIMSuite.load()
        let record = try #require(try suite.table("test_dkim.py:dnsfunc")["example._domainkey.canonical.com"])
        let signer = try DKIMSigner(
            key: DKIMPrivateKey(pem: try suite.text("dkimpy:test.private")), domain: "canonical.com", selector: "example")
        let message = DKIMMessageHeader.normalizingLineEnds(try suite.file("dkimpy:test.message"))
        let signed = Array(try signer.sign(message: message, time: Self.now).utf8) + message
        let results = await DKIMVerifier(dns: KeyZone(["example._domainkey.canonical.com": record]))
            .verify(message: signed, now: Self.now)
        #expect(results.map(\.result) == [.permerror])
    }

    @Test func bodyLengthDiffersByDesign() async throws {
        let suite = try DKIMSuite.load()
        let signer = try DKIMSigner(
            key: DKIMPrivateKey(pem: try suite.text("dkimpy:test.private")), domain: "example.com", selector: "test",
            signsBodyLength: true)
        let message = DKIMMessageHeader.normalizingLineEnds(try suite.file("dkimpy:test.message"))
        let signed = Array(try signer.sign(message: message, time: Self.now).utf8) + message
        let zone = KeyZone(try suite.table("test_dkim.py:dnsfunc"))
        #expect(await DKIMVerifier(dns: zone).verify(message: signed, now: Self.now).map(\.result) == [.pass])
        let appended = signed + Array("added more text\r\n".utf8)
        #expect(await DKIMVerifier(dns: zone).verify(message: appended, now: Self.now).map(\.result) == [.policy])
    }

    /// Every file of the data is used above or named here with the reason it is not, so that a new
    /// version's new data does not go unnoticed.
    @Test func everyDataFileIsAccountedFor() throws {
        let suite = try DKIMSuite.load()
        let notUsed: [String: String] = [
            "authheaders:test.bad.message": "DMARC test: unsigned, From of a p=reject domain",
            "authheaders:test_nop.message": "DMARC test: unsigned",
            "authheaders:test.txt": "read through test_authentication.py's table (records.json)",
            "dkimpy:test.txt": "read through the test modules' tables (records.json)",
            "dkimpy:test2.txt": "read through test_dkim.py:dnsfunc2",
            "dkimpy:badversion.txt": "read through test_dkim.py:dnsfunc3",
            "dkimpy:badk.txt": "read through test_dkim.py:dnsfunc4",
            "dkimpy:test_tlsrpt.txt": "read through test_dkim_tlsrpt.py:dnsfunc6",
            "dkimpy:eximtest.dns": "read through test_dkim_ed25519.py:dnsfunc",
            "dkimpy:ed25519test.dns": "the record of test._domainkey.example.net in test_dkim_ed25519.py:dnsfunc",
            "dkimpy:1024_testkey_wo_markers.pub.txt": "read through test_dkim_rsavariants.py:dnsfunc",
            "dkimpy:1024_testkey_wo_markers.pub.rsa.txt": "read through test_dkim_rsavariants.py:dnsfunc",
            "dkimpy:2048_testkey_wo_markers.pub.txt": "read through test_dkim_rsavariants.py:dnsfunc",
            "dkimpy:2048_testkey_wo_markers.pub.rsa.txt": "read through test_dkim_rsavariants.py:dnsfunc",
            "dkimpy:2048_testkey_PKCS8.key.pub.txt": "read through test_dkim_rsavariants.py:dnsfunc",
        ]
        var used = Set(Self.signed.map(\.message) + Self.keys.map(\.privateKey) + Self.messages)
        used.formUnion(Self.keys.map(\.record).filter { $0.hasPrefix("file:") }.map { String($0.dropFirst(5)) })
        used.insert("dkimpy:test_nofrom.message")
        var files: Set<String> = []
        for (prefix, folder) in [("dkimpy", suite.dkimpyData), ("authheaders", suite.authheadersData)] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasSuffix(".py") {
                files.insert("\(prefix):\(name)")
            }
        }
        let unaccounted = files.subtracting(used).subtracting(notUsed.keys)
        #expect(unaccounted.isEmpty, "data files neither used nor named: \(unaccounted.sorted())")
        let missing = used.union(notUsed.keys).subtracting(files)
        #expect(missing.isEmpty, "named but not in the data: \(missing.sorted())")
    }
}
