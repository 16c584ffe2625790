import Crypto
import Foundation
import SwiftASN1
import X509

/// The parts of one certificate of a server's chain that DANE looks at, decoded once. Every
/// failure to decode makes the certificate match nothing (never a crash).
struct DANECertificate {
    /// The certificate as sent (DER).
    let der: [UInt8]
    /// Its SubjectPublicKeyInfo exactly as encoded inside it (RFC 6698 §2.1.2 selector 1).
    let spki: [UInt8]?
    /// The parsed certificate, for chain signatures, names and dates (nil when it does not parse).
    let parsed: Certificate?

    init(der: [UInt8]) {
        self.der = der
        self.spki = Self.subjectPublicKeyInfo(of: der)
        self.parsed = try? Certificate(derEncoded: der)
    }

    /// The content a record's selector picks (RFC 6698 §2.1.2).
    func selected(_ selector: DANERecord.Selector) -> [UInt8]? {
        switch selector {
        case .certificate: der
        case .subjectPublicKeyInfo: spki
        }
    }

    /// Whether `record`'s data matches this certificate (RFC 6698 §2.1.3): the selected content
    /// itself, or its SHA2-256 or SHA2-512 digest.
    func matches(_ record: DANERecord) -> Bool {
        guard let content = selected(record.selector) else { return false }
        switch record.matching {
        case .full: return content == record.data
        case .sha256: return Array(SHA256.hash(data: content)) == record.data
        case .sha512: return Array(SHA512.hash(data: content)) == record.data
        }
    }

    /// RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature };
    /// TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    /// validity, subject, subjectPublicKeyInfo, ... }. The SPKI's own octets are returned, not a
    /// re-encoding, so that a digest matches what the server operator hashed.
    static func subjectPublicKeyInfo(of der: [UInt8]) -> [UInt8]? {
        guard let root = try? DER.parse(der), case .constructed(let parts) = root.content,
            let tbs = parts.first(where: { _ in true }), case .constructed(let fields) = tbs.content
        else { return nil }
        var items = Array(fields)
        if let first = items.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            items.removeFirst()
        }
        guard items.count > 5, items[5].identifier == .sequence else { return nil }
        return Array(items[5].encodedBytes)
    }
}

/// The names a certificate is for: its subjectAltName dNSNames, or when it has none, its
/// subject's common names (RFC 7672 §3.2.3 allows the CN for SMTP).
extension Certificate {
    var daneNames: [String] {
        if let names = try? extensions.subjectAlternativeNames {
            let dns = names.compactMap { name -> String? in
                if case .dnsName(let value) = name { value } else { nil }
            }
            if !dns.isEmpty { return dns }
        }
        return subject.flatMap { $0 }.compactMap { attribute in
            guard attribute.type == .RDNAttributeType.commonName else { return nil }
            return String(attribute.value)
        }
    }
}

/// RFC 7672 §3.2.3 / RFC 6125 §6.4: `name` (a reference identifier) matches a certificate name
/// when equal ignoring case and a final dot, or when the certificate name is `*.` followed by
/// the reference identifier without its first label (a wildcard only as the whole leftmost label).
func daneNameMatches(_ certificateName: String, _ reference: String) -> Bool {
    func normal(_ text: String) -> String {
        let lower = text.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }
    let pattern = normal(certificateName)
    let name = normal(reference)
    guard !pattern.isEmpty, !name.isEmpty else { return false }
    if pattern == name { return true }
    guard pattern.hasPrefix("*."), let dot = name.firstIndex(of: ".") else { return false }
    let parent = name[name.index(after: dot)...]
    return parent.contains(".") && String(pattern.dropFirst(2)) == parent
}
