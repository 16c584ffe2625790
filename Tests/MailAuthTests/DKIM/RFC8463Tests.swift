import Crypto
import Foundation
import Testing

@testable import MailAuth

/// RFC 8463 Appendix A: both signatures of the example verify, and signing the same header with
/// the same keys gives the same `b=` (PKCS#1 v1.5 and Ed25519 signatures are deterministic).
@Suite("RFC 8463 Appendix A")
struct RFC8463Tests {
    static let now: Int64 = 1_528_637_909 + 3600

    @Test func bothSignaturesVerify() async {
        let verifier = DKIMVerifier(dns: KeyZone(RFC8463Vectors.records))
        let results = await verifier.verify(message: RFC8463Vectors.signedMessage, now: Self.now)
        #expect(results.map(\.result) == [.pass, .pass])
        #expect(results.map(\.algorithm) == ["ed25519-sha256", "rsa-sha256"])
        #expect(results.map(\.selector) == ["brisbane", "test"])
        #expect(results.map(\.keyBits) == [256, 1024])
        #expect(results[0].signature == RFC8463Vectors.ed25519Signature)
        #expect(
            results.map(\.authenticationResultsClause) == [
                "dkim=pass header.d=football.example.com header.i=@football.example.com header.s=brisbane header.a=ed25519-sha256 header.b=\"/gCrinpc\"",
                "dkim=pass header.d=football.example.com header.i=@football.example.com header.s=test header.a=rsa-sha256 header.b=F45dVWDf",
            ])
    }

    @Test func signingReproducesTheRFCSignatures() throws {
        let header = DKIMMessageHeader(parsing: RFC8463Vectors.signedMessage)
        let keys: [DKIMPrivateKey] = [
            try DKIMPrivateKey(pem: RFC8463Vectors.ed25519Seed), try DKIMPrivateKey(pem: RFC8463Vectors.rsaPrivateKey),
        ]
        let expected = [RFC8463Vectors.ed25519Signature, RFC8463Vectors.rsaSignature]
        for (index, field) in header.fields.prefix(2).enumerated() {
            let signature = try DKIMSignature(parsing: field)
            let selected = DKIMHeaderHash.select(signature.signedHeaders, from: header.fields, excluding: index)
            #expect(selected.map(\.name) == ["from", "to", "subject", "date", "message-id"])
            let digest = DKIMHeaderHash.digest(
                selected: selected, signatureField: signature.canonicalSignatureField(), canonicalization: .relaxed)
            let made = try keys[index].sign(digest: digest)
            #expect(Data(made).base64EncodedString() == expected[index])
        }
    }

    @Test func theKeysMatchTheRecords() throws {
        let ed25519 = try DKIMPrivateKey(pem: RFC8463Vectors.ed25519Seed)
        #expect(ed25519.keyRecord == RFC8463Vectors.records["brisbane._domainkey.football.example.com"])
        let rsa = try DKIMPrivateKey(pem: RFC8463Vectors.rsaPrivateKey)
        #expect(rsa.algorithm == .rsaSHA256)
        #expect(rsa.bits == 1024)
        #expect(rsa.keyRecord == RFC8463Vectors.records["test._domainkey.football.example.com"])
    }

    @Test func aChangedMessageFails() async {
        let verifier = DKIMVerifier(dns: KeyZone(RFC8463Vectors.records))
        var text = String(decoding: RFC8463Vectors.signedMessage, as: UTF8.self)
        text = text.replacingOccurrences(of: "We lost the game.", with: "We won the game.")
        let body = await verifier.verify(message: Array(text.utf8), now: Self.now)
        #expect(body.map(\.result) == [.fail, .fail])
        #expect(body.allSatisfy { $0.reason == "body hash did not verify" })

        text = String(decoding: RFC8463Vectors.signedMessage, as: UTF8.self)
            .replacingOccurrences(of: "Is dinner ready?", with: "Is lunch ready?")
        let header = await verifier.verify(message: Array(text.utf8), now: Self.now)
        #expect(header.map(\.result) == [.fail, .fail])
        #expect(header.allSatisfy { $0.reason == "signature did not verify" })

        // Relaxed canonicalization tolerates re-folding and white space changes.
        text = String(decoding: RFC8463Vectors.signedMessage, as: UTF8.self)
            .replacingOccurrences(of: "Subject: Is dinner ready?", with: "subject:   Is dinner\r\n\tready?  ")
            .replacingOccurrences(of: "Hi.", with: "Hi.   ")
        let refolded = await verifier.verify(message: Array(text.utf8), now: Self.now)
        #expect(refolded.map(\.result) == [.pass, .pass])
    }
}
