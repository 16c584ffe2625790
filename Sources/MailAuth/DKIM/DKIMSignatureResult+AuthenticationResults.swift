extension DKIMSignatureResult {
    /// The `dkim=` method result of an `Authentication-Results` field (RFC 8601 §2.7.1), e.g.
    /// `dkim=pass header.d=example.org header.s=sel header.a=rsa-sha256 header.b="Ab/cd+ef"`:
    /// a `reason` for everything but `pass`, then the properties known.
    public var authenticationResultsClause: String {
        var clause = "dkim=\(result.rawValue)"
        if let reason, result != .pass {
            clause += " reason=" + SPFHeaderValue.quoted(reason)
        }
        if let domain { clause += " header.d=" + domain }
        if let identity { clause += " header.i=" + Self.pvalue(identity: identity) }
        if let selector { clause += " header.s=" + selector }
        if let algorithm { clause += " header.a=" + Self.token(algorithm) }
        if let headerB { clause += " header.b=" + Self.token(headerB) }
        return clause
    }

    /// One clause per signature, or `dkim=none` for a message without any (RFC 8601 §2.7.1).
    public static func authenticationResultsClauses(_ results: [DKIMSignatureResult]) -> [String] {
        results.isEmpty ? ["dkim=none"] : results.map(\.authenticationResultsClause)
    }

    /// RFC 8601 §2.2 `pvalue = [ [ local-part ] "@" ] domain-name`, else a quoted-string.
    static func pvalue(identity: String) -> String {
        guard let at = identity.lastIndex(of: "@") else { return token(identity) }
        let localPart = String(identity[..<at])
        let domain = String(identity[identity.index(after: at)...])
        let plain =
            (localPart.isEmpty || SPFHeaderValue.atomOrQuoted(localPart) == localPart) && DKIMDomainSyntax.isLabels(domain)
        return plain ? identity : SPFHeaderValue.quoted(identity)
    }

    /// RFC 8601 §2.2 `value`: an RFC 2045 token, else a quoted-string (base64's `/`, `+`, `=`
    /// and an i= with `@` may need quoting as `/` and `=` are tspecials).
    static func token(_ text: String) -> String {
        let tspecials = "()<>@,;:\\\"/[]?="
        let isToken =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && !tspecials.unicodeScalars.contains($0) }
        return isToken ? text : SPFHeaderValue.quoted(text)
    }
}

extension DKIMSignatureResult {
    /// Sets `headerB` on each result: the first 8 characters of its `b=`, more when another
    /// signature of the same message starts alike (RFC 6008 §4: enough to tell them apart). The
    /// verifier reads at most `maxSignatures` `b=` values, so the work stays small.
    static func abbreviatingSignatures(_ results: [DKIMSignatureResult]) -> [DKIMSignatureResult] {
        let all = results.compactMap { $0.signature.map { Array($0.utf8) } }
        return results.map { result in
            var result = result
            guard let signature = result.signature else { return result }
            let octets = Array(signature.utf8)
            // One character past the longest prefix shared with a different signature.
            var length = 8
            for other in all where other != octets {
                var common = 0
                while common < min(octets.count, other.count) && octets[common] == other[common] { common += 1 }
                length = max(length, common + 1)
            }
            result.headerB = String(decoding: octets.prefix(length), as: UTF8.self)
            return result
        }
    }
}
