import Foundation
import Testing

@testable import Directory

@Suite("Password parsing, verification and hashing")
struct PasswordTests {
    // MARK: Parsing

    @Test func schemePrefixIsCaseInsensitive() throws {
        let ssha = try PasswordTool.slappasswd("{SSHA}", toolPassword)
        let lower = try StoredPassword("{ssha}" + ssha.dropFirst("{SSHA}".count))
        #expect(lower.scheme == .ssha)
        #expect(lower.verify(toolPassword))
        #expect(!lower.verify(toolPassword + "!"))

        let sha512Crypt = try PasswordTool.doveadm("SHA512-CRYPT", toolPassword)
        let mixed = try StoredPassword("{Sha512-Crypt}" + sha512Crypt.dropFirst("{SHA512-CRYPT}".count))
        #expect(mixed.scheme == .sha512Crypt)
        #expect(mixed.verify(toolPassword))

        let hex = try PasswordTool.doveadm("SHA256.HEX", toolPassword)
        let lowerHex = try StoredPassword("{sha256.hex}" + hex.dropFirst("{SHA256.HEX}".count))
        #expect(lowerHex.verify(toolPassword))
    }

    @Test func unsaltedHexIsRecognisedByLength() throws {
        // Dovecot reads {SHA256}<64 hex digits> as hex because the length fits.
        for (scheme, label) in [("SHA.HEX", "{SHA}"), ("SHA256.HEX", "{SHA256}"), ("SHA512.HEX", "{SHA512}")] {
            let hex = try PasswordTool.doveadm(scheme, toolPassword)
            let relabelled = label + hex.dropFirst(scheme.count + 2)
            let stored = try StoredPassword(relabelled)
            #expect(stored.verify(toolPassword), "\(relabelled)")
            #expect(!stored.verify(toolPassword + "x"))
        }
    }

    @Test func bareCryptStringsReportSchemeByPrefix() throws {
        let cases: [(String, PasswordScheme)] = [
            ("sha-512", .sha512Crypt), ("sha-256", .sha256Crypt), ("bcrypt", .blfCrypt),
            ("yescrypt", .crypt), ("md5crypt", .md5Crypt),
        ]
        for (method, scheme) in cases {
            let stored = try StoredPassword(try PasswordTool.mkpasswd(method, "pw"))
            #expect(stored.scheme == scheme, "mkpasswd -m \(method)")
        }
        // $2y$ (Dovecot's bcrypt flavour) also maps to BLF-CRYPT when bare.
        let blf = try PasswordTool.doveadm("BLF-CRYPT", "pw")
        let bare = try StoredPassword(String(blf.dropFirst("{BLF-CRYPT}".count)))
        #expect(bare.scheme == .blfCrypt)
        #expect(bare.verify("pw"))
    }

    @Test func schemeNames() {
        #expect(PasswordScheme(name: "ssha512") == .ssha512)
        #expect(PasswordScheme(name: "SHA1") == .sha)
        #expect(PasswordScheme(name: "blf-crypt") == .blfCrypt)
        #expect(PasswordScheme(name: "cleartext") == .cleartext)
        #expect(PasswordScheme(name: "MD4") == nil)
        #expect(PasswordScheme.allCases.map(\.rawValue).contains("CLEARTEXT"))
        #expect(PasswordScheme.allCases.filter(\.isCrypt).count == 5)
    }

    // MARK: Malformed input

    @Test(arguments: [
        ("{FOO}bar", PasswordError.unknownScheme("FOO")),
        ("{}bar", .unknownScheme("")),
        ("{SHA3}abcd", .unknownScheme("SHA3")),
        ("{SSHA.ROT13}abcd", .unknownScheme("SSHA.ROT13")),
    ])
    func unknownSchemesThrow(_ text: String, _ error: PasswordError) {
        #expect(throws: error) { try StoredPassword(text) }
    }

    @Test(arguments: [
        "",
        "{SSHA",
        "secret",
        "{PLAIN}",
        "{CRYPT}",
        "{CRYPT}!",
        "{CRYPT}*",
        "{SHA512-CRYPT}has spaces $6$",
        "$",
        "{SSHA}",
        "{SSHA}!!!!",
        "{SSHA}AAAA====",
        "{SHA}AAAA",
        "{SHA256.HEX}abc",
        "{SHA256.HEX}zz",
        "{PLAIN.HEX}0",
        "{PLAIN.B64}A",
    ])
    func malformedInputsThrow(_ text: String) {
        #expect(throws: PasswordError.self, "\(text.debugDescription)") { try StoredPassword(text) }
    }

    @Test func saltedSchemeWithOnlyDigestBytesThrows() throws {
        // The unsalted digest relabelled as salted: digest bytes and no salt.
        let sha = try PasswordTool.slappasswd("{SHA}", toolPassword)
        let digestOnly = "{SSHA}" + sha.dropFirst("{SHA}".count)
        #expect(throws: PasswordError.self) { try StoredPassword(digestOnly) }

        let sha512 = try PasswordTool.doveadm("SHA512", toolPassword)
        #expect(throws: PasswordError.self) { try StoredPassword("{SSHA512}" + sha512.dropFirst("{SHA512}".count)) }
        let sha256 = try PasswordTool.doveadm("SHA256", toolPassword)
        #expect(throws: PasswordError.self) { try StoredPassword("{SSHA256}" + sha256.dropFirst("{SHA256}".count)) }
    }

    @Test func truncatedBase64IsRejected() throws {
        let texts = [
            try PasswordTool.slappasswd("{SSHA}", toolPassword),
            try PasswordTool.doveadm("SSHA512", toolPassword),
            try PasswordTool.doveadm("SHA256", toolPassword),
        ]
        for text in texts {
            for cut in 1...5 {
                let truncated = String(text.dropLast(cut))
                if let stored = try? StoredPassword(truncated) {
                    #expect(!stored.verify(toolPassword), "\(truncated) still verified")
                }
            }
        }
        // Unpadded data is not base64 to Dovecot either.
        #expect(throws: PasswordError.malformed("invalid base64")) {
            try StoredPassword(String(texts[0].dropLast()))
        }
    }

    @Test func truncatedCryptHashDoesNotVerify() throws {
        let text = try PasswordTool.mkpasswd("yescrypt", toolPassword)
        for cut in [1, 10] {
            let truncated = String(text.dropLast(cut))
            if let stored = try? StoredPassword(truncated) {
                #expect(!stored.verify(toolPassword), "\(truncated) still verified")
            }
        }
        let setting = try StoredPassword("$6$saltsalt$")
        #expect(!setting.verify(toolPassword))
        #expect(!setting.verify(""))
    }

    // MARK: Hashing

    @Test func hasherMakesYescryptThatVerifies() throws {
        let first = try PasswordHasher.hash(toolPassword)
        #expect(first.stored.hasPrefix("{CRYPT}$y$"))
        #expect(first.scheme == .crypt)
        #expect(!first.isWeak)
        #expect(first.verify(toolPassword))
        for miss in passwordNearMisses(toolPassword) {
            #expect(!first.verify(miss), "accepted \(miss.debugDescription)")
        }
        #expect(try StoredPassword(first.stored) == first)

        let second = try PasswordHasher.hash(toolPassword)
        #expect(second.stored != first.stored, "two hashes share a salt")
        #expect(second.verify(toolPassword))
    }

    @Test func hasherRejectsPasswordsCryptCannotTake() {
        #expect(throws: PasswordError.self) { try PasswordHasher.hash("abc\u{0}def") }
        #expect(throws: PasswordError.self) { try PasswordHasher.hash(String(repeating: "a", count: 512)) }
    }

    @Test func concurrentCryptVerificationsAgree() async throws {
        let stored = try StoredPassword(try PasswordTool.mkpasswd("sha-512", toolPassword))
        let results = await withTaskGroup(of: (Bool, Bool).self) { group in
            for index in 0..<8 {
                group.addTask {
                    let candidate = index.isMultiple(of: 2) ? toolPassword : toolPassword + "\(index)"
                    return (index.isMultiple(of: 2), stored.verify(candidate))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        for (shouldMatch, matched) in results {
            #expect(shouldMatch == matched)
        }
    }

    // MARK: Helpers

    @Test func constantTimeEqual() {
        #expect(ConstantTime.equal([], []))
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([0, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3, 0], [1, 2, 3]))
        #expect(!ConstantTime.equal([], [0]))
        #expect(!ConstantTime.equal([0], []))
    }

    @Test func base64AndHexDecoding() {
        #expect(BinaryEncoding.decodeBase64("TWFu"[...].utf8) == Array("Man".utf8))
        #expect(BinaryEncoding.decodeBase64("TWE="[...].utf8) == Array("Ma".utf8))
        #expect(BinaryEncoding.decodeBase64("TQ=="[...].utf8) == Array("M".utf8))
        #expect(BinaryEncoding.decodeBase64(""[...].utf8) == [])
        #expect(BinaryEncoding.decodeBase64("TQ="[...].utf8) == nil)
        #expect(BinaryEncoding.decodeBase64("T=Q="[...].utf8) == nil)
        #expect(BinaryEncoding.decodeBase64("===="[...].utf8) == nil)
        #expect(BinaryEncoding.decodeBase64("TW-u"[...].utf8) == nil)
        #expect(BinaryEncoding.decodeHex("00fFa9"[...].utf8) == [0x00, 0xFF, 0xA9])
        #expect(BinaryEncoding.decodeHex("0g"[...].utf8) == nil)
        #expect(BinaryEncoding.decodeHex("abc"[...].utf8) == nil)
    }

    @Test func descriptionDoesNotLeakSecrets() throws {
        let stored = try StoredPassword("{PLAIN}hunter2")
        #expect(!"\(stored)".contains("hunter2"))
        #expect(!String(reflecting: stored).contains("hunter2"))
        #expect("\(stored)".contains("PLAIN"))
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(PasswordError.unknownScheme("FOO").description.contains("{FOO}"))
        #expect(PasswordError.malformed("empty").description.contains("empty"))
        #expect(!PasswordError.cryptFailed.description.isEmpty)
    }
}
