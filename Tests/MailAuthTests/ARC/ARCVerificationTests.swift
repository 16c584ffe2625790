import Foundation
import Testing

@testable import MailAuth

@Suite("ARC chain validation (RFC 8617 section 5.2)")
struct ARCVerificationTests {
    let first = ARCTestSealer(key: ARCTestMessage.key, domain: "first.example")
    let second = ARCTestSealer(key: ARCTestMessage.key, domain: "lists.example", selector: "s2")
    var zone: KeyZone { KeyZone(Dictionary(uniqueKeysWithValues: [first.record, second.record])) }

    func verify(_ message: [UInt8], dns: KeyZone? = nil) async -> ARCResult {
        await ARCVerifier(dns: dns ?? zone).verify(message: message, now: 1_780_000_000)
    }

    @Test func noChainIsNone() async {
        let result = await verify(ARCTestMessage.plain)
        #expect(result.status == .none)
        #expect(result.authenticationResultsClause(remoteIP: "192.0.2.1") == "arc=none")
    }

    @Test func twoSetsPassAndNameTheNewestSealer() async throws {
        let sealed = try second.seal(try first.seal(ARCTestMessage.plain))
        let result = await verify(sealed)
        #expect(result.status == .pass, "\(result.reason ?? "")")
        #expect(result.instances == 2 && result.sealer == "lists.example" && result.oldestPass == 0)
        #expect(
            result.authenticationResultsClause(remoteIP: "192.0.2.1")
                == "arc=pass (i=2 d=lists.example) header.oldest-pass=0 smtp.remote-ip=192.0.2.1")
    }

    @Test func aChangeBetweenHopsGivesOldestPass() async throws {
        let once = String(decoding: try first.seal(ARCTestMessage.plain), as: UTF8.self)
        // The list rewrites the subject (breaking AMS i=1), then seals.
        let rewritten = once.replacingOccurrences(of: "Subject: hello", with: "Subject: [list] hello")
        let result = await verify(try second.seal(Array(rewritten.utf8)))
        #expect(result.status == .pass && result.oldestPass == 2)
    }

    @Test func aChangeAfterTheNewestSealFails() async throws {
        let sealed = try second.seal(try first.seal(ARCTestMessage.plain)) + Array("appended\r\n".utf8)
        let result = await verify(sealed)
        #expect(result.status == .fail && result.reason?.contains("ARC-Message-Signature i=2") == true)
    }

    @Test func aTamperedOlderSealFails() async throws {
        let sealed = String(decoding: try second.seal(try first.seal(ARCTestMessage.plain)), as: UTF8.self)
        let tampered = sealed.replacingOccurrences(
            of: "ARC-Authentication-Results: i=1; first.example; dkim=pass",
            with: "ARC-Authentication-Results: i=1; first.example; dkim=fail")
        let result = await verify(Array(tampered.utf8))
        #expect(result.status == .fail && result.reason?.contains("ARC-Seal") == true)
    }

    @Test func cvFailOfTheNewestSealFailsAndWrongCvBreaksTheChain() async throws {
        let failed = try second.seal(try first.seal(ARCTestMessage.plain), cv: .fail)
        #expect(await verify(failed).status == .fail)
        let wrong = try second.seal(try first.seal(ARCTestMessage.plain), cv: ARCChainStatus.none)
        let result = await verify(wrong)
        #expect(result.status == .fail && result.reason?.contains("cv=none") == true)
    }

    @Test func aKeyLookupThatTimesOutIsATemporaryFailure() async throws {
        let sealed = try first.seal(ARCTestMessage.plain)
        let result = await verify(sealed, dns: KeyZone([first.record.0: [first.record.1]], failing: [first.record.0]))
        #expect(result.status == .fail && result.isTemporary && result.sealer == "first.example")
    }
}

@Suite("ARC hostile input")
struct ARCHostileInputTests {
    let sealer = ARCTestSealer(key: ARCTestMessage.key, domain: "lists.example")

    func verify(_ message: [UInt8], zone: KeyZone) async -> ARCResult {
        await ARCVerifier(dns: zone).verify(message: message, now: 1_780_000_000)
    }

    @Test func fiftySetsPassAHundredFailUnreadWithoutALookup() async throws {
        var message = ARCTestMessage.plain
        for _ in 0..<50 { message = try sealer.seal(message) }
        let zone = KeyZone([sealer.record.0: sealer.record.1])
        // 50 sets is the most there may be, and it still validates.
        let fifty = await verify(message, zone: zone)
        #expect(fifty.status == .pass && fifty.instances == 50, "\(fifty.reason ?? "")")
        let lookups = await zone.lookups.names.count
        for _ in 0..<50 { message = try sealer.seal(message) }
        let hundred = await verify(message, zone: zone)
        #expect(hundred.status == .fail && hundred.reason?.contains("more than 50") == true)
        #expect(await zone.lookups.names.count == lookups)
    }

    @Test(arguments: ["i=0", "i=51", "i=abc", "i=", "i=1000000000000000000000", "i=-1"])
    func brokenInstanceFails(_ instance: String) async throws {
        let sealed = String(decoding: try sealer.seal(ARCTestMessage.plain), as: UTF8.self)
        let broken = sealed.replacingOccurrences(of: "ARC-Seal: i=1;", with: "ARC-Seal: \(instance);")
        let zone = KeyZone([sealer.record.0: sealer.record.1])
        let result = await verify(Array(broken.utf8), zone: zone)
        #expect(result.status == .fail)
        #expect(await zone.lookups.names.isEmpty)
    }

    @Test func missingDuplicateAndGappedSetsFail() async throws {
        let text = String(decoding: try sealer.seal(ARCTestMessage.plain), as: UTF8.self)
        let zone = KeyZone([sealer.record.0: sealer.record.1])
        let withoutSignature = text.components(separatedBy: "\r\n").filter { !$0.hasPrefix("ARC-Message-Signature") }
        #expect(await verify(Array(withoutSignature.joined(separator: "\r\n").utf8), zone: zone).status == .fail)
        let duplicate = "ARC-Authentication-Results: i=1; other.example; spf=pass\r\n" + text
        #expect(await verify(Array(duplicate.utf8), zone: zone).status == .fail)
        let gapped = text.replacingOccurrences(of: "i=1;", with: "i=2;")
        let result = await verify(Array(gapped.utf8), zone: zone)
        #expect(result.status == .fail && result.reason?.contains("i=1") == true)
        #expect(await zone.lookups.names.isEmpty)
    }

    @Test func brokenBase64AndGarbageKeysFail() async throws {
        let sealed = String(decoding: try sealer.seal(ARCTestMessage.plain), as: UTF8.self)
        let zone = KeyZone([sealer.record.0: sealer.record.1])
        let seal = try #require(sealed.components(separatedBy: "\r\n").first)
        let signature = try #require(seal.range(of: "b=")).upperBound
        let broken = sealed.replacingOccurrences(of: String(seal[signature...]), with: "!!!not base64!!!")
        let result = await verify(Array(broken.utf8), zone: zone)
        #expect(result.status == .fail && result.reason?.contains("base64") == true)
        #expect(await zone.lookups.names.isEmpty)
        let garbage = KeyZone([sealer.record.0: "v=DKIM1; k=ed25519; p=!!garbage"])
        let withGarbage = await verify(Array(sealed.utf8), zone: garbage)
        #expect(withGarbage.status == .fail && !withGarbage.isTemporary)
        #expect(await verify(Array(sealed.utf8), zone: KeyZone()).status == .fail)
    }

    @Test func anOversizedFieldFailsUnread() async throws {
        let huge =
            "ARC-Seal: i=1; cv=none; a=rsa-sha256; d=x.example; s=s; b=" + String(repeating: "A", count: 20_000) + "\r\n"
        let result = await verify(Array(huge.utf8) + ARCTestMessage.plain, zone: KeyZone())
        #expect(result.status == .fail && result.reason?.contains("octets") == true)
    }
}
