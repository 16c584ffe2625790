import DNS

/// SPF, DKIM and DMARC of one received message, and what follows from them: the
/// `Authentication-Results` field (RFC 8601) and the DMARC disposition (RFC 9989 §5.3.4).
public struct MessageAuthentication: Sendable, Hashable {
    /// SPF of the MAIL FROM identity (of the HELO name for the null reverse-path, RFC 7208 §2.4).
    public var spf: SPFVerdict
    /// One result per DKIM-Signature field, top to bottom.
    public var dkim: [DKIMSignatureResult]
    public var dmarc: DMARCEvaluation
    /// What DMARC evaluated (From domains, SPF and DKIM inputs): the rows of aggregate reports.
    public var dmarcMessage: DMARCMessage

    public init(spf: SPFVerdict, dkim: [DKIMSignatureResult], dmarc: DMARCEvaluation, dmarcMessage: DMARCMessage) {
        self.spf = spf
        self.dkim = dkim
        self.dmarc = dmarc
        self.dmarcMessage = dmarcMessage
    }

    /// The field, folded one method per line (RFC 8601 §2.2), ending in CRLF; `authservID` is the
    /// receiving host's name (§2.5).
    public func authenticationResultsField(authservID: String) -> String {
        let clauses =
            [spf.authenticationResultsClause] + DKIMSignatureResult.authenticationResultsClauses(dkim)
            + [dmarc.authenticationResultsClause]
        return "Authentication-Results: \(authservID);" + clauses.map { "\r\n\t\($0)" }.joined(separator: ";") + "\r\n"
    }

    /// The DMARC input of these SPF and DKIM results (RFC 9989 §4.4: SPF counts for the MAIL FROM
    /// domain only; every checked signature counts with its own result).
    static func dmarcInputs(spf: SPFVerdict, dkim: [DKIMSignatureResult]) -> (DMARCSPFInput?, [DMARCDKIMInput]) {
        let spfInput = spf.identity == .mailfrom ? DMARCSPFInput(domain: spf.domain, result: spf.result) : nil
        let dkimInputs = dkim.compactMap { result -> DMARCDKIMInput? in
            guard let domain = result.domain, let selector = result.selector,
                let value = DMARCDKIMResult(rawValue: result.result.rawValue)
            else { return nil }
            return DMARCDKIMInput(domain: domain, selector: selector, result: value, detail: result.reason)
        }
        return (spfInput, dkimInputs)
    }
}
