import Foundation
import NIOSSL
import X509

/// Authenticates an SMTP server's certificate chain against the usable TLSA records of its host
/// (RFC 7672 §3, RFC 7671). Sans-I/O: `verify(chain:now:)` takes the DER certificates as the
/// server sent them (leaf first); `callback` adapts it to NIOSSL's custom verification.
///
/// - DANE-EE(3) (RFC 7672 §3.1.1, RFC 7671 §5.1): the leaf alone must match; no name check, no
///   expiry check, no chain.
/// - DANE-TA(2) (RFC 7672 §3.1.2, RFC 7671 §5.2): a certificate of the chain other than the leaf
///   must match; the chain from the leaf up to it must be properly signed and in date, and the
///   leaf must name one of `referenceNames` (§3.2.2: the TLSA base domain, the MX host name, the
///   next-hop domain).
/// Any record matching is enough (RFC 6698 §2.1: the RRset is a set of alternatives).
public struct DANEVerifier: Hashable, Sendable {
    /// Chains longer than this are refused before any signature is checked (bounded work).
    public static let maxChainLength = 10

    public let records: [DANERecord]
    /// Lower-case names the leaf may be issued to under DANE-TA, most specific first.
    public let referenceNames: [String]

    public init(records: [DANERecord], referenceNames: [String]) {
        self.records = records
        var seen = Set<String>()
        self.referenceNames = referenceNames.map { $0.lowercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// What authenticated the chain, or why nothing did.
    public enum Outcome: Hashable, Sendable {
        case matched(DANERecord)
        case failed(String)
    }

    public func verify(chain: [[UInt8]], now: Date = Date()) -> Outcome {
        guard !chain.isEmpty else { return .failed("the server sent no certificate") }
        guard chain.count <= Self.maxChainLength else { return .failed("certificate chain of \(chain.count) certificates") }
        let certificates = chain.map(DANECertificate.init(der:))
        let leaf = certificates[0]
        // DANE-EE first: cheapest and the recommended form (RFC 7672 §3.1.1).
        if let record = records.first(where: { $0.usage == .endEntity && leaf.matches($0) }) {
            return .matched(record)
        }
        var problem = "no TLSA record matches the certificate chain"
        for record in records where record.usage == .trustAnchor {
            guard let anchorIndex = certificates.indices.dropFirst().first(where: { certificates[$0].matches(record) })
            else { continue }
            switch verifyChain(certificates[0...anchorIndex], now: now) {
            case .some(let why): problem = why
            case .none: return .matched(record)
            }
        }
        return .failed(problem)
    }

    /// nil when every certificate up to the anchor is signed by the next and in date, and the
    /// leaf names a reference identifier; else why not.
    private func verifyChain(_ chain: ArraySlice<DANECertificate>, now: Date) -> String? {
        let parsed = chain.compactMap(\.parsed)
        guard parsed.count == chain.count else { return "a certificate of the chain does not parse" }
        for index in parsed.indices.dropLast() {
            let certificate = parsed[index]
            let issuer = parsed[index + 1]
            guard certificate.issuer == issuer.subject, issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
            else { return "certificate \(index) of the chain is not signed by the next one" }
        }
        for certificate in parsed.dropLast() where !(certificate.notValidBefore <= now && now <= certificate.notValidAfter) {
            return "a certificate of the chain is expired or not yet valid"
        }
        let names = parsed[parsed.startIndex].daneNames
        guard referenceNames.contains(where: { reference in names.contains { daneNameMatches($0, reference) } }) else {
            return "the certificate names \(names.prefix(5)), not \(referenceNames)"
        }
        return nil
    }

    /// Checks the chain NIOSSL hands a custom verification callback (leaf first, as sent).
    public func accepts(_ certificates: [NIOSSLCertificate]) -> Bool {
        let chain = certificates.compactMap { try? $0.toDERBytes() }
        guard chain.count == certificates.count, case .matched = verify(chain: chain) else { return false }
        return true
    }
}
