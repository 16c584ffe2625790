import Foundation
import PostaTestSupport
import Testing

@testable import MailAuth

/// Every hostile input ends as `permerror`, `temperror` or `neutral`, after bounded work: no
/// crash, no unbounded lookups.
@Suite("DKIM hostile input")
struct DKIMHostileInputTests {
    static let now: Int64 = 1_780_000_000
    static let key = try! DKIMPrivateKey.generate(.ed25519SHA256)
    static let body = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"

    private func verify(_ message: String, zone: KeyZone = KeyZone(["s._domainkey.example.org": key.keyRecord]))
        async -> [DKIMSignatureResult]
    {
        await DKIMVerifier(dns: zone).verify(message: Array(message.utf8), now: Self.now)
    }

    private func signature(_ tags: String) -> String { "DKIM-Signature: \(tags)\r\n" }

    private let valid =
        "v=1; a=ed25519-sha256; d=example.org; s=s; h=from; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA"

    @Test func malformedSignaturesArePermerrors() async {
        let cases = [
            "",  // nothing
            "v=1",  // missing tags
            "garbage without equals",
            "v=2; a=rsa-sha256; d=example.org; s=s; h=from; bh=AAAA; b=AAAA",  // version
            "v=1; a=rsa-sha1; d=example.org; s=s; h=from; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA",
            "v=1; a=rsa-md5; d=example.org; s=s; h=from; bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=; b=AAAA",
            valid.replacingOccurrences(of: "h=from", with: "h=subject"),  // From not signed
            valid.replacingOccurrences(of: "h=from", with: "h=from::to"),  // empty name
            valid.replacingOccurrences(of: "d=example.org", with: "d=legitimate.com(.attacker.com"),
            valid.replacingOccurrences(of: "d=example.org", with: "d=exämple.org"),
            valid.replacingOccurrences(of: "s=s", with: "s=s..x"),
            valid + "; i=@elsewhere.example",  // i= outside d=
            valid + "; q=dns/other",
            valid + "; c=fancy/relaxed",
            valid + "; l=-1",
            valid + "; l=99999999999999999999999",
            valid + "; t=20; x=10",  // x= before t=
            valid + "; v=1",  // duplicate tag
            valid.replacingOccurrences(of: "b=AAAA", with: "b=!!!!"),  // broken base64
            valid.replacingOccurrences(of: "b=AAAA", with: "b=AAA"),
            valid.replacingOccurrences(of: "b=AAAA", with: "b="),
            valid.replacingOccurrences(of: "bh=frcC", with: "bh=%%rcC"),
            valid.replacingOccurrences(of: "bh=frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", with: "bh=AAAA"),
            "v=1; a=ed25519-sha256; \u{7}d=example.org",
        ]
        for tags in cases {
            let results = await verify(signature(tags) + Self.body)
            #expect(results.count == 1, "\(tags)")
            #expect(results.first?.result == .permerror, "\(tags): \(results)")
            #expect(results.first?.reason?.isEmpty == false, "\(tags)")
        }
    }

    @Test func aThousandEntryHeaderListIsRefusedUnread() async {
        let names = Array(repeating: "from", count: 1000).joined(separator: ":")
        let zone = KeyZone(["s._domainkey.example.org": Self.key.keyRecord])
        let results = await verify(
            signature(valid.replacingOccurrences(of: "h=from", with: "h=" + names)) + Self.body, zone: zone)
        #expect(results.map(\.result) == [.permerror])
        #expect(results.first?.reason?.contains("8192 octets") == true || results.first?.reason?.contains("64") == true)
        // Within the field size limit but over 64 names: refused by count.
        let sixtyFive = Array(repeating: "from", count: 65).joined(separator: ":")
        let counted = await verify(
            signature(valid.replacingOccurrences(of: "h=from", with: "h=" + sixtyFive)) + Self.body, zone: zone)
        #expect(counted.first?.reason == "h= names more than 64 header fields")
        #expect(await zone.lookups.names.isEmpty)
    }

    @Test func aHundredSignaturesCheckTenAndLookUpOnce() async throws {
        let signer = try DKIMSigner(key: Self.key, domain: "example.org", selector: "s")
        var message = Self.body
        // Different t= values, so that the (deterministic) Ed25519 signatures differ.
        for index in 0..<100 { message = try signer.sign(message: Array(message.utf8), time: Self.now - Int64(index)) + message }
        let zone = KeyZone(["s._domainkey.example.org": Self.key.keyRecord])
        let results = await verify(message, zone: zone)
        #expect(results.count == 100)
        // DKIM-Signature is not in the default header set, so every signature still verifies.
        #expect(results.prefix(10).allSatisfy { $0.result == .pass })
        #expect(results.dropFirst(10).allSatisfy { $0.result == .neutral && $0.reason?.hasPrefix("not checked") == true })
        #expect(await zone.lookups.names == ["s._domainkey.example.org"])
        // header.b tells the checked ones apart; the others are not even read.
        #expect(Set(results.compactMap(\.headerB)).count == 10)
        #expect(results.dropFirst(10).allSatisfy { $0.domain == nil && $0.headerB == nil })
    }

    @Test func tenThousandSignaturesCostLittle() async {
        let field = signature(valid)
        let message = String(repeating: field, count: 10_000) + Self.body
        let started = ContinuousClock.now
        let results = await verify(message)
        #expect(results.count == 10_000)
        #expect(results.prefix(10).allSatisfy { $0.result == .fail })  // b=AAAA does not verify
        #expect(results.dropFirst(10).allSatisfy { $0.result == .neutral })
        // A blow-up bound, not a speed test: a debug build on two busy cores takes about 20 s; work
        // quadratic in the number of signatures would take hours.
        #expect(ContinuousClock.now - started < .seconds(180))
    }

    @Test func hugeTagValuesAreRefusedBeforeParsing() async {
        let huge = valid.replacingOccurrences(of: "b=AAAA", with: "b=" + String(repeating: "A", count: 100_000))
        let results = await verify(signature(huge) + Self.body)
        #expect(results.map(\.result) == [.permerror])
        #expect(results.first?.reason == "signature field over 8192 octets")
        let longDomain = valid.replacingOccurrences(of: "d=example.org", with: "d=" + String(repeating: "a.", count: 200) + "org")
        #expect(await verify(signature(longDomain) + Self.body).first?.result == .permerror)
    }

    @Test func garbageKeyRecordsArePermerrors() async throws {
        let signer = try DKIMSigner(key: Self.key, domain: "example.org", selector: "s")
        let message = try signer.sign(message: Array(Self.body.utf8), time: Self.now) + Self.body
        // A 512-bit RSA public key (made with `openssl genrsa 512` for this test).
        let rsa512 =
            "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAJzYYEd3Z4d2K/zOb7JOjakYsTrrJSm3ViWJMx/0+uxm7mXU5khY/FFWBMQ920+MfdIKShG+3hT2ygMBCAG7p5ECAwEAAQ=="
        var random = SeededGenerator(seed: 14)
        let noise = (0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }
        let records = [
            "v=DKIM1; k=ed25519; p=!!!!not base64!!!!",
            "v=DKIM1; k=ed25519; p=AAAA",  // 3 octets, not a key
            "v=DKIM1; k=ed25519; p=" + Data(noise).base64EncodedString(),
            "v=DKIM1; k=rsa; p=" + Data(noise).base64EncodedString(),
            "v=DKIM1; k=rsa; p=" + rsa512,
            "v=DKIM1; k=dsa; p=AAAA",
            "v=DKIM1; k=ed25519",  // no p=
            "v=DKIM1; k=ed25519; p=AAAA; p=AAAA",
            String(decoding: noise, as: UTF8.self),
            "v=DKIM1; k=ed25519; n=" + String(repeating: "x", count: 20_000) + "; p=" + Self.key.publicKeyBase64,
            "hello world",
        ]
        for record in records {
            let results = await verify(message, zone: KeyZone(["s._domainkey.example.org": record]))
            #expect(results.map(\.result) == [.permerror], "\(record.prefix(60)): \(results)")
        }
        // A key record that claims RSA for an ed25519 signature, and an RSA key of 512 bits for
        // an RSA signature.
        let rsaSigner = try DKIMSigner(key: DKIMPrivateKey.generate(.rsaSHA256, bits: 1024), domain: "example.org", selector: "s")
        let rsaMessage = try rsaSigner.sign(message: Array(Self.body.utf8), time: Self.now) + Self.body
        let weak = await verify(rsaMessage, zone: KeyZone(["s._domainkey.example.org": "v=DKIM1; k=rsa; p=" + rsa512]))
        #expect(weak.map(\.result) == [.permerror])
        // Many TXT records, none a key: a bounded number are read.
        let many = KeyZone(["s._domainkey.example.org": Array(repeating: "v=spf1 -all", count: 500)])
        #expect(await verify(message, zone: many).map(\.result) == [.permerror])
    }

    @Test func dnsFailuresAreTemperrors() async throws {
        let signer = try DKIMSigner(key: Self.key, domain: "example.org", selector: "s")
        let message = try signer.sign(message: Array(Self.body.utf8), time: Self.now) + Self.body
        let results = await verify(message, zone: KeyZone([:], failing: ["s._domainkey.example.org"]))
        #expect(results.map(\.result) == [.temperror])
    }

    @Test func randomGarbageNeverCrashes() async {
        var random = SeededGenerator(seed: 6376)
        let alphabet = Array("DKIM-Signature:=;: \t\r\nabvdhsbil0123456789+/@.-_".utf8)
        for _ in 0..<300 {
            let length = Int.random(in: 0...400, using: &random)
            let octets = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            let message = "DKIM-Signature: v=1; " + String(decoding: octets, as: UTF8.self) + "\r\n" + Self.body
            let results = await verify(message)
            #expect(results.allSatisfy { [.permerror, .temperror, .neutral, .fail].contains($0.result) })
        }
    }
}
