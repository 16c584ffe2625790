import DNS

/// SPF, DKIM, ARC and DMARC of one received message, and what follows from them: the
/// `Authentication-Results` field (RFC 8601) and what to do with the message (`action`).
public struct MessageAuthentication: Sendable, Hashable {
    /// SPF of the MAIL FROM identity (of the HELO name for the null reverse-path, RFC 7208 §2.4).
    public var spf: SPFVerdict
    /// One result per DKIM-Signature field, top to bottom.
    public var dkim: [DKIMSignatureResult]
    /// The ARC chain (RFC 8617).
    public var arc: ARCResult
    /// Whether the newest ARC-Seal's `d=` is a trusted sealer (whatever the chain's state).
    public var arcSealerTrusted: Bool
    public var dmarc: DMARCEvaluation
    /// What DMARC evaluated (From domains, SPF and DKIM inputs): the rows of aggregate reports.
    public var dmarcMessage: DMARCMessage

    public init(
        spf: SPFVerdict, dkim: [DKIMSignatureResult], arc: ARCResult = ARCResult(status: .none),
        arcSealerTrusted: Bool = false, dmarc: DMARCEvaluation, dmarcMessage: DMARCMessage
    ) {
        self.spf = spf
        self.dkim = dkim
        self.arc = arc
        self.arcSealerTrusted = arcSealerTrusted
        self.dmarc = dmarc
        self.dmarcMessage = dmarcMessage
    }

    /// The field, folded one method per line (RFC 8601 §2.2), ending in CRLF; `authservID` is the
    /// receiving host's name (§2.5).
    public func authenticationResultsField(authservID: String) -> String {
        let clauses =
            [spf.authenticationResultsClause] + DKIMSignatureResult.authenticationResultsClauses(dkim)
            + [arc.authenticationResultsClause(remoteIP: dmarcMessage.clientIP), dmarc.authenticationResultsClause]
        return "Authentication-Results: \(authservID);" + clauses.map { "\r\n\t\($0)" }.joined(separator: ";") + "\r\n"
    }

    /// What the receiver does with the message.
    public enum Action: Sendable, Hashable {
        case deliver
        /// Deliver into Junk (DMARC `quarantine`).
        case junk
        /// Refuse permanently (DMARC `reject`, RFC 9989 §5.3.4).
        case reject
        /// Refuse temporarily, so that the sender tries again: a DNS lookup failed and with its
        /// answer the message might have been accepted, or refused (why, for the reply).
        case deferral(String)
    }

    /// The DMARC disposition, with temporary DNS failures weighed (RFC 9989 §5.3.6: a receiver
    /// that cannot tell may defer rather than decide). The rule:
    /// - DMARC `temperror` (the record or an alignment lookup failed): defer when the policy that
    ///   would apply is `reject` or could not be learnt; otherwise deliver as if no policy applied.
    /// - DMARC `fail` with a `reject` disposition: defer instead when a temporary failure might have
    ///   changed the outcome — SPF `temperror`, a DKIM key lookup `temperror`, or an ARC chain of a
    ///   trusted sealer that failed only on a key lookup; otherwise reject.
    /// - `quarantine` stays Junk (nothing is lost), `pass`, `none` and `permerror` deliver.
    public var action: Action {
        switch dmarc.result {
        case .pass, .none, .permerror:
            return .deliver
        case .temperror:
            guard dmarc.requestedPolicy == nil || dmarc.requestedPolicy == .reject else { return .deliver }
            return .deferral("DMARC lookup failed: \(dmarc.reasons.last ?? "temporary DNS failure")")
        case .fail:
            switch dmarc.disposition {
            case .none: return .deliver
            case .quarantine: return .junk
            case .reject: return temporaryDoubt.map(Action.deferral) ?? .reject
            }
        }
    }

    /// A temporary failure that could have turned a DMARC fail into a pass or an override: of SPF
    /// or a DKIM key for a domain that could align with the Author Domain, or of a trusted
    /// sealer's ARC key.
    var temporaryDoubt: String? {
        if spf.identity == .mailfrom, spf.result == .temperror, couldAlign(spf.domain) {
            return "SPF lookup failed for \(spf.domain)"
        }
        if let signature = dkim.first(where: { $0.result == .temperror && $0.domain.map(couldAlign) == true }) {
            return "DKIM key lookup failed for \(signature.selector ?? "?")._domainkey.\(signature.domain ?? "?")"
        }
        if arcSealerTrusted, arc.isTemporary { return "ARC key lookup failed for sealer \(arc.sealer ?? "?")" }
        return nil
    }

    /// Whether `domain` might align with the Author Domain (RFC 9989 §4.10.2) whatever the DNS
    /// says: the same name, or names that end in the same two labels or more (an Organizational
    /// Domain is a suffix of both, and has two labels at least). Without a known Author Domain, yes.
    func couldAlign(_ domain: String) -> Bool {
        guard let author = dmarc.authorDomain else { return true }
        let ours = domain.lowercased().split(separator: ".")
        let theirs = author.lowercased().split(separator: ".")
        if ours == theirs { return true }
        return zip(ours.reversed(), theirs.reversed()).prefix { $0 == $1 }.count >= 2
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
