import Foundation
import Testing

@testable import MailAuth

/// Signing (RFC 6376 §5) and verifying (§6) Posta's own signatures, and the verifier's answers
/// to the ways a signature goes wrong.
@Suite("DKIM signing and verification")
struct DKIMSignVerifyTests {
    static let now: Int64 = 1_780_000_000
    static let rsaKey = try! DKIMPrivateKey.generate(.rsaSHA256, bits: 2048)
    static let edKey = try! DKIMPrivateKey.generate(.ed25519SHA256)

    static let message = RFC8463Vectors.crlf(
        """
        Received: from a by b; Fri, 11 Jul 2003 21:01:00 -0700
        From: Joe SixPack <joe@example.org>
        To: Suzie Q <suzie@example.net>,
         Other <other@example.net>
        Subject: Is dinner ready?  Ça va?
        Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
        Message-ID: <20030712040037.46341.5F8J@example.org>
        List-Id: <dinner.example.org>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Hi.  Ça va?\t

        We lost the game.  Are you hungry yet?


        """)

    static func zone(_ keys: [(String, DKIMPrivateKey)], extra: String = "") -> KeyZone {
        KeyZone(Dictionary(uniqueKeysWithValues: keys.map { ("\($0.0)._domainkey.example.org", $0.1.keyRecord + extra) }))
    }

    func signed(
        _ message: [UInt8] = DKIMSignVerifyTests.message, key: DKIMPrivateKey = DKIMSignVerifyTests.rsaKey,
        selector: String = "sel", configure: (inout DKIMSigner) -> Void = { _ in }
    ) throws -> [UInt8] {
        var signer = try DKIMSigner(key: key, domain: "Example.ORG", selector: selector)
        configure(&signer)
        return Array(try signer.sign(message: message, time: Self.now).utf8) + message
    }

    func verify(_ message: [UInt8], zone: KeyZone? = nil, configuration: DKIMVerifierConfiguration = .init(), now: Int64 = now)
        async -> [DKIMSignatureResult]
    {
        let verifier = DKIMVerifier(dns: zone ?? Self.zone([("sel", Self.rsaKey)]), configuration: configuration)
        return await verifier.verify(message: message, now: now)
    }

    @Test func rsaAndEd25519SignaturesVerify() async throws {
        let both = try signed(try signed(key: Self.edKey, selector: "ed"), key: Self.rsaKey, selector: "rsa")
        let results = await verify(both, zone: Self.zone([("rsa", Self.rsaKey), ("ed", Self.edKey)]))
        #expect(results.map(\.result) == [.pass, .pass])
        #expect(results.map(\.keyBits) == [2048, 256])
        #expect(results.map(\.domain) == ["example.org", "example.org"])
    }

    @Test func theSignatureFieldIsFoldedAndComplete() throws {
        let signer = try DKIMSigner(key: Self.rsaKey, domain: "example.org", selector: "sel")
        let field = try signer.sign(message: Self.message, time: Self.now)
        #expect(field.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel;"))
        #expect(field.hasSuffix("\r\n"))
        let lines = field.dropLast(2).components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        let parsed = try DKIMSignature(parsing: DKIMHeaderField(raw: Array(field.utf8)))
        #expect(parsed.timestamp == Self.now)
        #expect(parsed.canonicalization == .relaxed)
        // From oversigned; the other default fields as often as present; List-* when present;
        // Received is not in the default set.
        #expect(
            parsed.signedHeaders == [
                "from", "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
                "content-transfer-encoding", "list-id",
            ])
    }

    @Test func simpleCanonicalizationAndOtherOptionsVerify() async throws {
        let message = try signed { signer in
            signer.canonicalization = .simple
            signer.identity = "joe@mail.example.org"
            signer.validity = 3600
            signer.signsBodyLength = true
        }
        let results = await verify(message)
        #expect(results.map(\.result) == [.pass])
        #expect(results.first?.identity == "joe@mail.example.org")
        // x= is an hour after t=.
        #expect(await verify(message, now: Self.now + 3601).first?.result == .permerror)
        #expect(await verify(message, now: Self.now + 3601).first?.reason?.contains("expired") == true)
    }

    @Test func tamperingFails() async throws {
        let message = String(decoding: try signed(), as: UTF8.self)
        func result(_ changed: String) async -> DKIMSignatureResult? { await verify(Array(changed.utf8)).first }

        #expect(await result(message.replacingOccurrences(of: "hungry", with: "angry"))?.result == .fail)
        #expect(await result(message.replacingOccurrences(of: "dinner ready", with: "lunch ready"))?.result == .fail)
        // A second From, above or below the first: the oversigned From catches it.
        let forged = "From: Mallory <m@evil.example>\r\n"
        #expect(await result(message.replacingOccurrences(of: "To: Suzie", with: forged + "To: Suzie"))?.result == .fail)
        #expect(await result(forged + message)?.result == .fail)
        // Unsigned fields may be added; signed ones may be refolded (relaxed).
        #expect(
            await result(message.replacingOccurrences(of: "\r\n\r\nHi.", with: "\r\nX-Extra: yes\r\n\r\nHi."))?.result == .pass)
        #expect(
            await result(message.replacingOccurrences(of: "Subject: Is dinner", with: "Subject: Is\r\n dinner"))?.result == .pass)
        // Trailing empty lines do not count (§3.4.4).
        #expect(await result(message + "\r\n\r\n")?.result == .pass)
    }

    @Test func bodyLengthLimitGivesPolicyWhenTheBodyGrew() async throws {
        let message = try signed { $0.signsBodyLength = true }
        let appended = message + Array("Buy cheap watches!\r\n".utf8)
        let results = await verify(appended)
        #expect(results.first?.result == .policy)
        #expect(results.first?.reason?.contains("unsigned") == true)
        #expect(await verify(appended, configuration: .init(acceptPartialBody: true)).first?.result == .pass)
        // A body shorter than l=: the signed content is gone.
        let text = String(decoding: message, as: UTF8.self)
        let cut = text.replacingOccurrences(of: "We lost the game.  Are you hungry yet?", with: "")
        #expect(await verify(Array(cut.utf8)).first?.result == .fail)
    }

    @Test func keyProblems() async throws {
        let message = try signed()
        func result(_ record: String?, configuration: DKIMVerifierConfiguration = .init()) async -> DKIMSignatureResult? {
            let zone = KeyZone(record.map { ["sel._domainkey.example.org": [$0]] } ?? [:])
            return await verify(message, zone: zone, configuration: configuration).first
        }
        let p = Self.rsaKey.publicKeyBase64
        #expect(await result(nil)?.result == .permerror)  // NXDOMAIN: no key
        #expect(await result("v=DKIM1; k=rsa; p=")?.reason == "key revoked (empty p=)")
        #expect(await result("v=DKIM1; k=ed25519; p=\(p)")?.result == .permerror)  // k= does not match a=
        #expect(await result("v=DKIM1; h=sha1; p=\(p)")?.result == .permerror)
        #expect(await result("v=DKIM1; s=other; p=\(p)")?.result == .permerror)
        #expect(await result("v=DKIM2; p=\(p)")?.result == .permerror)
        #expect(await result("k=rsa; v=DKIM1; p=\(p)")?.result == .permerror)  // v= must come first
        #expect(await result("v=DKIM1; k=rsa; n=note; t=y; x=unknown; p=\(p)")?.result == .pass)
        #expect(await result("v=DKIM1; k=rsa; t=y; p=\(p)")?.testing == true)
        #expect(await result("p=\(p)")?.result == .pass)  // k=rsa and v= are optional
        // The key-size floor is configurable.
        let floor = await result("p=\(p)", configuration: .init(minimumRSABits: 4096))
        #expect(floor?.result == .permerror)
        #expect(floor?.reason == "2048-bit RSA key is below the 4096-bit minimum")
        // DNS failure: temperror.
        let zone = KeyZone([:], failing: ["sel._domainkey.example.org"])
        let failed = await verify(message, zone: zone).first
        #expect(failed?.result == .temperror)
        #expect(failed?.reason == "key lookup failed: timeout")
    }

    @Test func strictKeysRequireTheExactDomainInI() async throws {
        let message = try signed { $0.identity = "joe@mail.example.org" }
        let strict = Self.zone([("sel", Self.rsaKey)], extra: "; t=s")
        #expect(await verify(message, zone: strict).first?.result == .permerror)
        let exact = try signed { $0.identity = "joe@example.org" }
        #expect(await verify(exact, zone: strict).first?.result == .pass)
    }

    @Test func signingRefusesMessagesWithoutOneFrom() throws {
        let signer = try DKIMSigner(key: Self.edKey, domain: "example.org", selector: "sel")
        #expect(throws: DKIMSigningError.self) { try signer.sign(message: Array("To: a@b\r\n\r\nx\r\n".utf8), time: 0) }
        #expect(throws: DKIMSigningError.self) {
            try signer.sign(message: Array("From: a@b\r\nFrom: c@d\r\n\r\nx\r\n".utf8), time: 0)
        }
        #expect(throws: DKIMSigningError.self) { try DKIMSigner(key: Self.edKey, domain: "exa mple.org", selector: "s") }
        #expect(throws: DKIMSigningError.self) {
            try DKIMSigner(key: Self.edKey, domain: "example.org", selector: "s", identity: "a@elsewhere.example")
        }
    }

    @Test func unsignedMessagesGiveNone() async {
        let results = await verify(Self.message)
        #expect(results.isEmpty)
        #expect(DKIMSignatureResult.authenticationResultsClauses(results) == ["dkim=none"])
    }

    @Test func headerBIsLongEnoughToTellSignaturesApart() {
        let results = DKIMSignatureResult.abbreviatingSignatures([
            DKIMSignatureResult(result: .pass, signature: "abcdefghXYZ1"),
            DKIMSignatureResult(result: .fail, signature: "abcdefghXYQ2"),
            DKIMSignatureResult(result: .pass, signature: "zzzzzzzzzzzz"),
            DKIMSignatureResult(result: .permerror),
        ])
        #expect(results.map(\.headerB) == ["abcdefghXYZ", "abcdefghXYQ", "zzzzzzzz", nil])
    }

    @Test func authenticationResultsClauseQuotesWhatNeedsIt() {
        let result = DKIMSignatureResult(
            result: .fail, reason: "signature did not verify", domain: "example.org", selector: "s1",
            identity: "\"odd user\"@example.org", algorithm: "rsa-sha256", headerB: "ab+/cd==")
        #expect(
            result.authenticationResultsClause
                == "dkim=fail reason=\"signature did not verify\" header.d=example.org header.i=\"\\\"odd user\\\"@example.org\" header.s=s1 header.a=rsa-sha256 header.b=\"ab+/cd==\""
        )
    }

    @Test func privateKeysRoundTripThroughPEM() throws {
        for key in [Self.rsaKey, Self.edKey] {
            let again = try DKIMPrivateKey(pem: key.pemRepresentation)
            #expect(again.keyRecord == key.keyRecord)
            #expect(key.pemRepresentation.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        }
        #expect(throws: DKIMPrivateKey.Invalid.self) { try DKIMPrivateKey(pem: "garbage") }
        #expect(throws: DKIMPrivateKey.Invalid.self) { try DKIMPrivateKey.generate(.rsaSHA256, bits: 512) }
        #expect(throws: DKIMPrivateKey.Invalid.self) {
            try DKIMPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        }
    }
}
