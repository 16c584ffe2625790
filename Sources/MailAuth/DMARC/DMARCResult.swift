/// The DMARC result of a message, named as in `Authentication-Results` (RFC 9989 §9.2, RFC 8601).
public enum DMARCResult: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A record applies and an Authenticated Identifier is aligned with the Author Domain.
    case pass
    /// A record applies and no Authenticated Identifier is aligned.
    case fail
    /// No DMARC record applies to the Author Domain (§4.10.1): DMARC does not apply.
    case none
    /// A DNS lookup failed; a later attempt may conclude (§5.3.6).
    case temperror
    /// DMARC cannot be evaluated: no or too many From domains, or an unusable record.
    case permerror

    public var description: String { rawValue }
}

/// What a DKIM signature's verification gave (RFC 8601 §2.7.1), as DMARC and its reports see it.
public enum DMARCDKIMResult: String, Sendable, Hashable, Codable, CaseIterable {
    case none, pass, fail, policy, neutral, temperror, permerror
}

/// The SPF result of the MAIL FROM identity as DMARC takes it in: the domain SPF checked (the
/// MAIL FROM domain, or the HELO name for a null reverse-path, RFC 9989 §3.2.4) and its result.
public struct DMARCSPFInput: Sendable, Hashable {
    public var domain: String
    public var result: SPFResult
    /// Extra detail for reports (`human_result`), e.g. the SPF problem.
    public var detail: String?

    public init(domain: String, result: SPFResult, detail: String? = nil) {
        self.domain = domain
        self.result = result
        self.detail = detail
    }
}

/// One checked DKIM signature as DMARC takes it in (RFC 9989 §5.3.3: result, `d=` and `s=`).
/// DMARC does not depend on the DKIM verifier: whoever runs it fills these in.
public struct DMARCDKIMInput: Sendable, Hashable {
    /// The `d=` tag.
    public var domain: String
    /// The `s=` tag.
    public var selector: String
    public var result: DMARCDKIMResult
    /// Extra detail for reports (`human_result`), e.g. why it failed.
    public var detail: String?

    public init(domain: String, selector: String, result: DMARCDKIMResult, detail: String? = nil) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.detail = detail
    }
}

/// What DMARC evaluates of one message.
public struct DMARCMessage: Sendable, Hashable {
    /// The domain of every address in the RFC5322.From field(s), as written (RFC 9989 §5.3.1).
    public var fromDomains: [String]
    /// The SPF check of the MAIL FROM identity, if it was made.
    public var spf: DMARCSPFInput?
    /// Every DKIM signature that was checked.
    public var dkim: [DMARCDKIMInput]
    /// True when the message carries an ARC chain that validated and was sealed by a sealer the
    /// site trusts (RFC 8617 §7.2); the caller decides, DMARC only records `trusted_forwarder`.
    public var arcTrusted: Bool
    /// The SMTP client's address, for exemptions by network (`DMARCExemption.Match.clientNetwork`).
    public var clientIP: String?

    public init(
        fromDomains: [String], spf: DMARCSPFInput? = nil, dkim: [DMARCDKIMInput] = [], arcTrusted: Bool = false,
        clientIP: String? = nil
    ) {
        self.fromDomains = fromDomains
        self.spf = spf
        self.dkim = dkim
        self.arcTrusted = arcTrusted
        self.clientIP = clientIP
    }
}
