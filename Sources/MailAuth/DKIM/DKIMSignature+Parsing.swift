import Foundation

extension DKIMSignature {
    /// Parses and validates a `DKIM-Signature` field (RFC 6376 §3.5, §6.1.1), or with `kind`
    /// `.arcMessageSignature` an `ARC-Message-Signature` (RFC 8617 §4.1.2: `i=` is the instance,
    /// there is no `v=`, and `h=` must not name `ARC-Seal`); every problem is a `DKIMSyntaxError`
    /// and so a `permerror`. `maxSignedHeaders` bounds `h=`.
    public init(parsing field: DKIMHeaderField, kind: Kind = .dkim, maxSignedHeaders: Int = 64) throws(DKIMSyntaxError) {
        let tags = try DKIMTagList(parsing: Array(field.value))
        self.kind = kind
        // §3.5 v=: "1"; other versions are not this specification's signatures. RFC 8617 §4.1.2:
        // an ARC-Message-Signature has none.
        if kind == .dkim {
            guard try tags.required("v").text == "1" else {
                throw DKIMSyntaxError("unsupported version v=\(DKIMTagList.printable(tags["v"]!.value))")
            }
        }
        let signer = try DKIMSignerTags(tags, field: field)
        (algorithm, signature, signatureText) = (signer.algorithm, signer.signature, signer.signatureText)
        (domain, selector, signatureValueRange) = (signer.domain, signer.selector, signer.signatureValueRange)
        bodyHash = try Self.base64(try tags.required("bh"), name: "bh")
        guard bodyHash.count == 32 else { throw DKIMSyntaxError("bh= is not a SHA-256 digest") }
        canonicalization =
            try tags["c"].map { tag throws(DKIMSyntaxError) in try DKIMCanonicalizations.parse(tag.text) } ?? .simple

        // §3.5 h=: names separated by colons, FWS allowed around them; From is required (§5.4).
        let names = try tags.required("h").compactValue.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard names.count <= maxSignedHeaders else {
            throw DKIMSyntaxError("h= names more than \(maxSignedHeaders) header fields")
        }
        signedHeaders = try names.map { name throws(DKIMSyntaxError) in
            // RFC 5322 §3.6.8 field-name: printable ASCII except the colon.
            guard !name.isEmpty, name.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw DKIMSyntaxError("invalid header field name in h=")
            }
            return String(decoding: name, as: UTF8.self).lowercased()
        }
        guard signedHeaders.contains("from") else { throw DKIMSyntaxError("h= does not include From") }

        // RFC 8617 §4.1.2: i= is the instance number, and the seals are not signed by the AMS.
        if kind == .arcMessageSignature {
            instance = try ARCInstance.parse(try tags.required("i").value)
            guard !signedHeaders.contains("arc-seal") else { throw DKIMSyntaxError("h= names ARC-Seal") }
            identity = nil
        } else if let tag = tags["i"] {
            // §3.5 i=: its domain is d= or a subdomain of it.
            instance = nil
            let text = tag.text
            guard let at = text.lastIndex(of: "@") else { throw DKIMSyntaxError("i= has no @") }
            let identityDomain = try DKIMDomainSyntax.domain(String(text[text.index(after: at)...]), tag: "i").lowercased()
            guard identityDomain == domain || identityDomain.hasSuffix("." + domain) else {
                throw DKIMSyntaxError("i= domain \(identityDomain) is not within d=\(domain)")
            }
            identity = text
        } else {
            instance = nil
            identity = nil
        }
        bodyLength = try tags["l"].map { tag throws(DKIMSyntaxError) in Int(try Self.number(tag, name: "l")) }
        // §3.5 q=: a list of methods, of which dns/txt is the only one defined.
        if let methods = tags["q"] {
            let list = methods.compactValue.split(separator: UInt8(ascii: ":")).map {
                String(decoding: $0, as: UTF8.self).lowercased()
            }
            guard list.contains(where: { $0 == "dns/txt" || $0.hasPrefix("dns/txt/") }) else {
                throw DKIMSyntaxError("q= has no dns/txt query method")
            }
        }
        timestamp = try tags["t"].map { tag throws(DKIMSyntaxError) in try Self.number(tag, name: "t") }
        expiration = try tags["x"].map { tag throws(DKIMSyntaxError) in try Self.number(tag, name: "x") }
        if let timestamp, let expiration, expiration <= timestamp {
            throw DKIMSyntaxError("x= is not after t=")
        }
        self.field = field
    }

    /// Base64 (RFC 2045 §6.8) with folding white space anywhere (§3.5 `base64string`).
    static func base64(_ tag: DKIMTagList.Tag, name: String) throws(DKIMSyntaxError) -> [UInt8] {
        guard let data = Data(base64Encoded: Data(tag.compactValue)) else {
            throw DKIMSyntaxError("\(name)= is not valid base64")
        }
        return Array(data)
    }

    /// A decimal number of at most 18 digits (§3.5 allows up to 76 for `l=` and 12 for `t=`/`x=`;
    /// larger ones are refused rather than overflow).
    static func number(_ tag: DKIMTagList.Tag, name: String) throws(DKIMSyntaxError) -> Int64 {
        let digits = tag.value
        guard !digits.isEmpty, digits.allSatisfy(DKIMTagList.isDigit) else {
            throw DKIMSyntaxError("\(name)= is not a number")
        }
        guard digits.count <= 18, let value = Int64(String(decoding: digits, as: UTF8.self)) else {
            throw DKIMSyntaxError("\(name)= is too large")
        }
        return value
    }
}

/// The tags that name the signer and carry the signature, which a `DKIM-Signature`, an
/// `ARC-Message-Signature` and an `ARC-Seal` share (RFC 6376 §3.5, RFC 8617 §4.1.2, §4.1.3):
/// `a=`, `b=`, `d=`, `s=`.
struct DKIMSignerTags: Sendable, Hashable {
    var algorithm: DKIMAlgorithm
    var signature: [UInt8]
    var signatureText: String
    var domain: String
    var selector: String
    /// Where the `b=` value lies in the field's octets, surrounding white space included.
    var signatureValueRange: Range<Int>

    init(_ tags: DKIMTagList, field: DKIMHeaderField) throws(DKIMSyntaxError) {
        guard let colon = field.colon else { throw DKIMSyntaxError("not a header field") }
        algorithm = try DKIMAlgorithm.parse(try tags.required("a").text)
        let b = try tags.required("b")
        signature = try DKIMSignature.base64(b, name: "b")
        guard !signature.isEmpty else { throw DKIMSyntaxError("empty b= tag") }
        signatureText = String(decoding: b.compactValue, as: UTF8.self)
        domain = try DKIMDomainSyntax.domain(try tags.required("d").text, tag: "d").lowercased()
        selector = try DKIMDomainSyntax.selector(try tags.required("s").text).lowercased()
        guard (selector + "._domainkey." + domain).utf8.count <= 253 else {
            throw DKIMSyntaxError("s= and d= make a DNS name over 253 octets")
        }
        let offset = colon + 1
        signatureValueRange = (b.valueRange.lowerBound + offset)..<(b.valueRange.upperBound + offset)
    }
}

/// The domain and selector syntax of RFC 6376 §3.5 (`domain-name`, `selector`): ASCII labels of
/// letters, digits, hyphens (and underscores, which deployed selectors use), each 1-63 octets.
/// Internationalised names (RFC 8616) are refused: no IDNA conversion is done here.
enum DKIMDomainSyntax {
    static func domain(_ text: String, tag: String) throws(DKIMSyntaxError) -> String {
        guard text.utf8.count <= 253, isLabels(text) else {
            throw DKIMSyntaxError("\(tag)= is not a domain name: \"\(DKIMTagList.printable(text.utf8))\"")
        }
        return text
    }

    static func selector(_ text: String) throws(DKIMSyntaxError) -> String {
        guard text.utf8.count <= 253, isLabels(text) else {
            throw DKIMSyntaxError("s= is not a selector: \"\(DKIMTagList.printable(text.utf8))\"")
        }
        return text
    }

    static func isLabels(_ text: String) -> Bool {
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.allSatisfy { DKIMTagList.isAlpha($0) || DKIMTagList.isDigit($0) || $0 == 0x2D || $0 == 0x5F }
        }
    }
}
