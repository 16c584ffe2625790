import Crypto
import DNS
import Foundation
import NIOSSL
import Testing
import X509

@testable import SMTP

/// A CA and a leaf it issued, made in memory (P-256), for DANE matching tests.
struct DANETestChain {
    let caKey = P256.Signing.PrivateKey()
    let leafKey = P256.Signing.PrivateKey()
    let ca: Certificate
    let leaf: Certificate

    init(leafNames: [String] = ["mx.example.org"], validFor: ClosedRange<Date>? = nil, signWithOtherKey: Bool = false) throws {
        let now = Date()
        let range = validFor ?? (now - 3600)...(now + 3600)
        let caName = try DistinguishedName { CommonName("DANE Test CA") }
        ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 3600, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
            issuerPrivateKey: .init(caKey))
        let signer = signWithOtherKey ? P256.Signing.PrivateKey() : caKey
        leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey), notValidBefore: range.lowerBound,
            notValidAfter: range.upperBound, issuer: caName,
            subject: try DistinguishedName { CommonName(leafNames.first ?? "x") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { SubjectAlternativeNames(leafNames.map { .dnsName($0) }) },
            issuerPrivateKey: .init(signer))
    }

    var chain: [[UInt8]] { [try! leaf.serializeAsPEM().derBytes, try! ca.serializeAsPEM().derBytes] }

    static func record(_ usage: UInt8, _ selector: UInt8, _ matching: UInt8, _ content: [UInt8]) -> DANERecord {
        let data: [UInt8] =
            switch matching {
            case 1: Array(SHA256.hash(data: content))
            case 2: Array(SHA512.hash(data: content))
            default: content
            }
        return DANERecord(TLSAData(usage: usage, selector: selector, matchingType: matching, associationData: data))!
    }
}

@Suite("DANE: TLSA records against certificate chains (RFC 7672 §3, RFC 7671)")
struct DANEVerifierTests {
    @Test func theSPKIIsTheKeysOwnEncoding() throws {
        let chain = try DANETestChain()
        #expect(DANECertificate.subjectPublicKeyInfo(of: chain.chain[0]) == Array(chain.leafKey.publicKey.derRepresentation))
        #expect(DANECertificate.subjectPublicKeyInfo(of: [0x30, 0x03, 0x02, 0x01, 0x00]) == nil)
        #expect(DANECertificate.subjectPublicKeyInfo(of: []) == nil)
    }

    @Test(arguments: [(UInt8(0), UInt8(0)), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)])
    func daneEEMatchesTheLeafBySelectorAndMatchingType(selector: UInt8, matching: UInt8) throws {
        let chain = try DANETestChain(leafNames: ["somewhere.else.example"])
        let content = selector == 0 ? chain.chain[0] : Array(chain.leafKey.publicKey.derRepresentation)
        let record = DANETestChain.record(3, selector, matching, content)
        let verifier = DANEVerifier(records: [record], referenceNames: ["mx.example.org"])
        // DANE-EE: no name check (RFC 7672 §3.2.1) and the CA need not be sent.
        #expect(verifier.verify(chain: [chain.chain[0]]) == .matched(record))
    }

    @Test func daneEEIgnoresExpiry() throws {
        let long = Date(timeIntervalSince1970: 1_000_000)
        let chain = try DANETestChain(validFor: long...(long + 10))
        let record = DANETestChain.record(3, 1, 1, Array(chain.leafKey.publicKey.derRepresentation))
        #expect(DANEVerifier(records: [record], referenceNames: []).verify(chain: chain.chain) == .matched(record))
    }

    @Test func aMismatchingRecordFails() throws {
        let chain = try DANETestChain()
        let other = try DANETestChain()
        let record = DANETestChain.record(3, 1, 1, Array(other.leafKey.publicKey.derRepresentation))
        let outcome = DANEVerifier(records: [record], referenceNames: ["mx.example.org"]).verify(chain: chain.chain)
        guard case .failed = outcome else {
            Issue.record("matched: \(outcome)")
            return
        }
    }

    @Test func daneTAMatchesTheIssuerAndChecksTheName() throws {
        let chain = try DANETestChain(leafNames: ["mx.example.org"])
        let record = DANETestChain.record(2, 0, 1, chain.chain[1])
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx.example.org"]).verify(chain: chain.chain) == .matched(record))
        // The next-hop domain is a reference identifier too (§3.2.2).
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx2.example.net", "mx.example.org"]).verify(chain: chain.chain)
                == .matched(record))
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx.other.example"]).verify(chain: chain.chain) != .matched(record))
    }

    @Test func daneTAWildcardCoversOneLabel() throws {
        let chain = try DANETestChain(leafNames: ["*.example.org"])
        let record = DANETestChain.record(2, 1, 1, Array(chain.caKey.publicKey.derRepresentation))
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx.example.org"]).verify(chain: chain.chain) == .matched(record))
        #expect(
            DANEVerifier(records: [record], referenceNames: ["a.mx.example.org"]).verify(chain: chain.chain) != .matched(record))
        #expect(!daneNameMatches("*.org", "example.org"))
    }

    @Test func daneTARefusesABadSignatureAndAnExpiredLeaf() throws {
        let forged = try DANETestChain(signWithOtherKey: true)
        let record = DANETestChain.record(2, 0, 1, forged.chain[1])
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx.example.org"]).verify(chain: forged.chain) != .matched(record))
        let past = Date(timeIntervalSince1970: 1_000_000)
        let expired = try DANETestChain(validFor: past...(past + 10))
        let anchor = DANETestChain.record(2, 0, 1, expired.chain[1])
        #expect(
            DANEVerifier(records: [anchor], referenceNames: ["mx.example.org"]).verify(chain: expired.chain) != .matched(anchor))
    }

    @Test func daneTAMustNotMatchTheLeafItself() throws {
        let chain = try DANETestChain()
        let record = DANETestChain.record(2, 0, 1, chain.chain[0])
        #expect(
            DANEVerifier(records: [record], referenceNames: ["mx.example.org"]).verify(chain: chain.chain) != .matched(record))
    }

    @Test func hostileChainsEndAsFailures() {
        let verifier = DANEVerifier(records: [DANETestChain.record(2, 0, 1, [1, 2, 3])], referenceNames: ["a.example"])
        #expect(verifier.verify(chain: []) != .matched(verifier.records[0]))
        #expect(
            verifier.verify(chain: [[0xFF, 0x00], [0x30, 0x80], Array(repeating: 0x30, count: 4096)])
                != .matched(verifier.records[0]))
        #expect(verifier.verify(chain: Array(repeating: [0x30, 0x00], count: 1000)) != .matched(verifier.records[0]))
    }

    @Test func onlyDANERecordsOfKnownFormAreUsable() {
        let digest = [UInt8](repeating: 7, count: 32)
        #expect(DANERecord(TLSAData(usage: 3, selector: 1, matchingType: 1, associationData: digest)) != nil)
        #expect(DANERecord(TLSAData(usage: 2, selector: 0, matchingType: 2, associationData: digest + digest)) != nil)
        // PKIX-TA and PKIX-EE are unusable for SMTP (RFC 7672 §3.1.3); unknown numbers; wrong lengths.
        #expect(DANERecord(TLSAData(usage: 1, selector: 1, matchingType: 1, associationData: digest)) == nil)
        #expect(DANERecord(TLSAData(usage: 0, selector: 1, matchingType: 1, associationData: digest)) == nil)
        #expect(DANERecord(TLSAData(usage: 3, selector: 2, matchingType: 1, associationData: digest)) == nil)
        #expect(DANERecord(TLSAData(usage: 3, selector: 1, matchingType: 3, associationData: digest)) == nil)
        #expect(DANERecord(TLSAData(usage: 3, selector: 1, matchingType: 1, associationData: [1, 2])) == nil)
        #expect(DANERecord(TLSAData(usage: 3, selector: 1, matchingType: 0, associationData: [])) == nil)
    }
}

/// Answers from a table; names not in it throw (a lookup failure).
struct TableLookup: DANEDNSLookup {
    var answers: [String: (DNSAnswer.Kind, Bool)]

    func query(_ name: DNSName, _ type: DNSRecordType) async throws -> DNSAnswer {
        guard let (kind, secure) = answers["\(name) \(type)"] else { throw DNSError.serverFailure }
        return DNSAnswer(question: DNSQuestion(name: name, type: type), kind: kind, rcode: .noError, authenticData: secure)
    }
}

@Suite("DANE: which MX hosts it applies to (RFC 7672 §2.2)")
struct DANEPolicyTests {
    static let tlsa = TLSAData(usage: 3, selector: 1, matchingType: 1, associationData: Array(repeating: 9, count: 32))

    func record(_ owner: String, _ data: DNSRecordData) -> DNSResourceRecord {
        DNSResourceRecord(name: try! DNSName(owner), ttl: 300, data: data)
    }

    func lookup(mx: Bool = true, address: Bool = true, tlsa: (DNSAnswer.Kind, Bool)?) -> DANEPolicyLookup {
        var answers: [String: (DNSAnswer.Kind, Bool)] = [
            "example.org MX": (
                .records([record("example.org", .mx(MXData(preference: 10, exchange: try! DNSName("mx.example.org"))))]), mx
            ),
            "mx.example.org A": (.records([record("mx.example.org", .a(IPAddress("192.0.2.25")!))]), address),
        ]
        if let tlsa { answers["_25._tcp.mx.example.org TLSA"] = tlsa }
        return DANEPolicyLookup(dns: TableLookup(answers: answers))
    }

    func policy(_ lookup: DANEPolicyLookup) async -> DANEHostPolicy {
        let secure = await lookup.mxIsSecure("example.org")
        return await lookup.policy(host: "mx.example.org", domain: "example.org", mxSecure: secure)
    }

    @Test func secureUsableRecordsAuthenticate() async {
        let result = await policy(lookup(tlsa: (.records([record("_25._tcp.mx.example.org", .tlsa(Self.tlsa))]), true)))
        guard case .authenticate(let verifier) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(verifier.records == [DANERecord(Self.tlsa)!])
        #expect(verifier.referenceNames == ["mx.example.org", "example.org"])
    }

    @Test func insecureMXAddressOrTLSAMeansNoDANE() async {
        let records: DNSAnswer.Kind = .records([record("_25._tcp.mx.example.org", .tlsa(Self.tlsa))])
        #expect(await policy(lookup(mx: false, tlsa: (records, true))) == .notApplicable)
        #expect(await policy(lookup(address: false, tlsa: (records, true))) == .notApplicable)
        #expect(await policy(lookup(tlsa: (records, false))) == .notApplicable)
        #expect(await policy(lookup(tlsa: (.nxDomain, true))) == .notApplicable)
        #expect(await policy(lookup(tlsa: (.noData, true))) == .notApplicable)
    }

    @Test func aFailedTLSALookupInASignedZoneSkipsTheHost() async {
        guard case .unavailable = await policy(lookup(tlsa: nil)) else {
            Issue.record("a SERVFAIL must not downgrade")
            return
        }
    }

    @Test func onlyUnusableRecordsStillRequireTLS() async {
        let pkix = TLSAData(usage: 1, selector: 1, matchingType: 1, associationData: Array(repeating: 9, count: 32))
        let result = await policy(lookup(tlsa: (.records([record("_25._tcp.mx.example.org", .tlsa(pkix))]), true)))
        #expect(result == .encryptOnly)
    }
}

@Suite("DANE over a live STARTTLS handshake (NIOSSL custom verification)")
struct DANELiveTests {
    func deliver(matching: Bool) async throws -> SMTPRecipientResult {
        let directory = NSTemporaryDirectory() + "posta-dane-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ClientTLSTests.makeCertificate(in: directory)
        let certificate = try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem")[0]
        let spki = try #require(DANECertificate.subjectPublicKeyInfo(of: try certificate.toDERBytes()))
        let record = DANETestChain.record(3, 1, 1, matching ? spki : spki + [0])
        let verifier = DANEVerifier(records: [record], referenceNames: ["mx.example.org"])
        let server = try await ClientTLSTests.startServer(certificateIn: directory)
        defer { server.close(promise: nil) }
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.posta.test", tlsPolicy: .required),
            envelope: OutboundEnvelope(reversePath: "a@posta.test", recipients: [.init(address: "b@tls.test")], size: 5))
        let result = try await SMTPClientConnection.deliver(
            host: "127.0.0.1", port: try #require(server.localAddress?.port),
            tls: try NIOSSLContext(configuration: .daneClient()), serverName: "mx.example.org", session: session,
            body: .bytes(Array("hello".utf8)), timeouts: .rfc5321(scaledBy: 0.02), verifyCertificates: verifier.accepts)
        return try #require(result.recipients.first)
    }

    @Test("a matching 3 1 1 record: delivered although the certificate names localhost and is self-signed")
    func matching() async throws {
        let result = try await deliver(matching: true)
        #expect(result.fromServer)
        guard case .accepted = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
    }

    @Test("a mismatching record: the handshake fails, nothing is sent, a temporary failure")
    func mismatching() async throws {
        let result = try await deliver(matching: false)
        #expect(!result.fromServer)
        guard case .temporaryFailure = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
    }
}
