import DNS

/// Evaluates DMARC for messages (RFC 9989 §5.3): finds the policy by the DNS Tree Walk (no
/// public suffix list), checks Identifier Alignment of the SPF and DKIM results it is given, and
/// picks the disposition, lowered where the site's local policy says so.
///
/// Bounded: each tree walk makes at most `limits.treeWalkQueries` queries and each `_dmarc` name is
/// asked once per evaluation, so one message costs at most `treeWalkQueries × (2 + dkimDomains)`
/// queries per From domain, plus one existence query where an `np` tag needs it.
public struct DMARCChecker: Sendable {
    public let dns: any DMARCDNS
    public var limits: DMARCLimits
    public var localPolicy: DMARCLocalPolicy

    public init(dns: any DMARCDNS, limits: DMARCLimits = DMARCLimits(), localPolicy: DMARCLocalPolicy = DMARCLocalPolicy()) {
        self.dns = dns
        self.limits = limits
        self.localPolicy = localPolicy
    }

    /// DMARC for one message. Never throws: DNS failures are `temperror`, unusable input `permerror`.
    public func evaluate(_ message: DMARCMessage) async -> DMARCEvaluation {
        // §5.3.1: the Author Domain(s), as A-labels.
        var authors: [DMARCDomain] = []
        for text in message.fromDomains {
            guard let domain = DMARCDomain(text) else {
                return DMARCEvaluation(
                    result: .permerror, reasons: ["From domain '\(DMARCRecord.clip(text))' is not a domain name"])
            }
            if !authors.contains(domain) { authors.append(domain) }
        }
        guard !authors.isEmpty else {
            return DMARCEvaluation(result: .permerror, reasons: ["no RFC5322.From domain (RFC 9989 section 5.3.1)"])
        }
        guard authors.count <= limits.authorDomains else {
            return DMARCEvaluation(
                result: .permerror,
                reasons: ["\(authors.count) From domains; at most \(limits.authorDomains) are evaluated (RFC 9989 section 11.5)"])
        }
        var lookups = DMARCLookups(dns: dns, limits: limits)
        var evaluations: [DMARCEvaluation] = []
        for author in authors {
            evaluations.append(await evaluate(message, author: author, lookups: &lookups))
        }
        guard evaluations.count > 1 else { return evaluations[0] }
        // §11.5: with several From domains, each is evaluated and the strictest outcome counts.
        var decisive = Self.decisive(evaluations)
        decisive.reasons.append(
            "\(authors.count) From domains (\(authors.map(\.name).joined(separator: ", "))) evaluated each (RFC 9989 section 11.5)"
        )
        return decisive
    }

    /// The failing evaluation with the strictest disposition; else the first temperror,
    /// permerror, pass, none, in that order.
    static func decisive(_ evaluations: [DMARCEvaluation]) -> DMARCEvaluation {
        let failing = evaluations.filter { $0.result == .fail }
        if let worst = failing.max(by: {
            ($0.disposition, $0.requestedPolicy ?? .none) < ($1.disposition, $1.requestedPolicy ?? .none)
        }) {
            return worst
        }
        for result in [DMARCResult.temperror, .permerror, .pass] {
            if let found = evaluations.first(where: { $0.result == result }) { return found }
        }
        return evaluations[0]
    }

    private func evaluate(_ message: DMARCMessage, author: DMARCDomain, lookups: inout DMARCLookups) async -> DMARCEvaluation {
        var evaluation = DMARCEvaluation(result: .none, authorDomain: author.name)
        // §4.10.1: the record of the Author Domain, else of its Organizational or Public Suffix Domain.
        let policyDomain: DMARCDomain
        let found: DMARCRecordLookup
        switch await Self.discoverPolicy(author, lookups: &lookups) {
        case .failure(let failure):
            evaluation.result = .temperror
            evaluation.reasons.append(failure.reason)
            return evaluation
        case .success(nil):
            evaluation.reasons.append("no DMARC record for \(author.name)")
            return evaluation
        case .success(let .some((domain, lookup))):
            policyDomain = domain
            found = lookup
        }
        evaluation.policyDomain = policyDomain.name
        guard case .record(let published) = found else {
            evaluation.result = .permerror
            if case .unusable(let why) = found { evaluation.reasons.append(why) }
            return evaluation
        }
        guard let record = published.effective else {
            // §4.10.1: without a valid p (or with an invalid sp/np) and no reporting URI, DMARC does not apply.
            evaluation.result = published.hasInvalidPolicy ? .permerror : .none
            evaluation.reasons.append(
                published.hasInvalidPolicy
                    ? "_dmarc.\(policyDomain.name): invalid p, sp or np and no reporting URI"
                    : "_dmarc.\(policyDomain.name): no p and no reporting URI")
            return evaluation
        }
        if record != published {
            evaluation.reasons.append(
                "_dmarc.\(policyDomain.name): missing or invalid p, sp or np; taken as p=none (RFC 9989 section 4.10.1)")
        }
        evaluation.record = record

        // §4.10.2, §5.3.4: Identifier Alignment.
        var open: [String] = []
        if let spf = message.spf, spf.result == .pass, let domain = DMARCDomain(Self.domainPart(spf.domain)) {
            switch await Self.aligned(domain, with: author, mode: record.spfAlignment, lookups: &lookups) {
            case .success(true): evaluation.spfAlignedDomain = domain.name
            case .success(false): break
            case .failure(let failure): open.append(failure.reason)
            }
        }
        var signingDomains: [DMARCDomain] = []
        for signature in message.dkim where signature.result == .pass {
            guard let domain = DMARCDomain(signature.domain), !signingDomains.contains(domain) else { continue }
            signingDomains.append(domain)
        }
        // The Author Domain itself first: it aligns in either mode without a walk.
        signingDomains.sort { ($0 == author ? 0 : 1) < ($1 == author ? 0 : 1) }
        if signingDomains.count > limits.dkimDomains {
            evaluation.reasons.append(
                "\(signingDomains.count) DKIM signing domains; only the first \(limits.dkimDomains) checked for alignment")
        }
        for domain in signingDomains.prefix(limits.dkimDomains) {
            switch await Self.aligned(domain, with: author, mode: record.dkimAlignment, lookups: &lookups) {
            case .success(true): evaluation.dkimAlignedDomain = domain.name
            case .success(false): continue
            case .failure(let failure): open.append(failure.reason)
            }
            if evaluation.dkimAligned { break }
        }
        if let organizational = lookups.knownOrganizationalDomain(of: author) {
            evaluation.organizationalDomain = organizational.name
        }

        // §5.3.5: pass if any identifier aligns; an open question makes it a temperror (§5.3.6).
        if evaluation.dkimAligned || evaluation.spfAligned {
            evaluation.result = .pass
        } else if !open.isEmpty {
            evaluation.result = .temperror
            evaluation.reasons += open
        } else {
            evaluation.result = .fail
            evaluation.reasons.append(Self.failureReason(message, author: author, record: record))
        }

        // §4.10.1: p for the Author Domain itself; below it sp, or np for a domain that does not exist.
        var policy = record.policy ?? .none
        if policyDomain != author {
            policy = record.subdomainPolicy ?? policy
            if let nonexistent = record.nonexistentSubdomainPolicy {
                switch await lookups.exists(author) {
                case .success(false): policy = nonexistent
                case .success(true): break
                case .failure(let failure):
                    if evaluation.result == .fail {
                        evaluation.result = .temperror
                        evaluation.reasons.append(failure.reason)
                    }
                }
            }
        }
        evaluation.publishedPolicy = policy
        // §4.7 t: in testing mode, one level below the published policy.
        let requested = record.testing ? policy.testModeDowngrade : policy
        evaluation.requestedPolicy = requested
        guard evaluation.result == .fail else { return evaluation }
        evaluation.disposition = requested
        if requested != policy {
            evaluation.overrides.append(DMARCOverrideReason(.policyTestMode, comment: "t=y"))
        }
        applyLocalPolicy(to: &evaluation, message: message, author: author)
        return evaluation
    }

    /// §5.4: the receiver's exemptions, each recorded when it lowers the disposition.
    private func applyLocalPolicy(to evaluation: inout DMARCEvaluation, message: DMARCMessage, author: DMARCDomain) {
        var authenticated: [DMARCDomain] = []
        if let spf = message.spf, spf.result == .pass, let domain = DMARCDomain(Self.domainPart(spf.domain)) {
            authenticated.append(domain)
        }
        for signature in message.dkim.prefix(64) where signature.result == .pass {
            if let domain = DMARCDomain(signature.domain) { authenticated.append(domain) }
        }
        for exemption in localPolicy.exemptions where exemption.disposition < evaluation.disposition {
            let matches: Bool
            switch exemption.match {
            case .authorDomain(let name):
                matches = DMARCDomain(name).map { author.isSameOrSubdomain(of: $0) } ?? false
            case .authenticatedDomain(let name):
                matches = DMARCDomain(name).map { listed in authenticated.contains { $0.isSameOrSubdomain(of: listed) } } ?? false
            case .clientNetwork(let network):
                matches = message.clientIP.map(network.contains) ?? false
            }
            guard matches else { continue }
            evaluation.disposition = exemption.disposition
            evaluation.overrides.append(DMARCOverrideReason(exemption.reason, comment: exemption.comment))
        }
        if message.arcTrusted && localPolicy.trustedARCDisposition < evaluation.disposition {
            evaluation.disposition = localPolicy.trustedARCDisposition
            evaluation.overrides.append(DMARCOverrideReason(.trustedForwarder, comment: "trusted ARC chain"))
        }
    }

    /// §4.10.1 policy discovery: the Author Domain's own record, else (by the tree walk) its
    /// Organizational Domain's, else a Public Suffix Domain's (`psd=y`); nil when none applies.
    static func discoverPolicy(
        _ author: DMARCDomain, lookups: inout DMARCLookups
    ) async -> Result<(DMARCDomain, DMARCRecordLookup)?, DMARCTemporaryFailure> {
        let own = await lookups.lookup(author)
        if case .failed(let why) = own { return .failure(DMARCTemporaryFailure(reason: why)) }
        if own.hasRecord { return .success((author, own)) }
        let visited = await lookups.walk(from: author)
        if case .failed(let why) = visited.last?.1 { return .failure(DMARCTemporaryFailure(reason: why)) }
        let organizational = DMARCLookups.organizationalDomain(start: author, visited: visited)
        if let hit = visited.first(where: { $0.0 == organizational && $0.1.hasRecord }) { return .success(hit) }
        if let publicSuffix = visited.last(where: { $0.1.psd == .yes }) { return .success(publicSuffix) }
        return .success(nil)
    }

    /// Whether `identifier` aligns with `author` (§3.2.10): identical, or — relaxed — with the same
    /// Organizational Domain (§4.10.2).
    static func aligned(
        _ identifier: DMARCDomain, with author: DMARCDomain, mode: DMARCAlignmentMode, lookups: inout DMARCLookups
    ) async -> Result<Bool, DMARCTemporaryFailure> {
        if identifier == author { return .success(true) }
        guard mode == .relaxed else { return .success(false) }
        // Organizational Domains are suffixes: names that share no label from the right cannot
        // have the same one, whatever the DNS says (and no lookup is made for them).
        guard identifier.labels.last == author.labels.last else { return .success(false) }
        let authorOrganizational: DMARCDomain
        switch await lookups.organizationalDomain(of: author) {
        case .success(let domain): authorOrganizational = domain
        case .failure(let failure): return .failure(failure)
        }
        // An Organizational Domain is a suffix of its domain: no walk can align one outside it.
        guard identifier.isSameOrSubdomain(of: authorOrganizational) else { return .success(false) }
        return await lookups.organizationalDomain(of: identifier).map { $0 == authorOrganizational }
    }

    /// The domain of `postmaster@helo.example` or of a bare domain.
    static func domainPart(_ text: String) -> String {
        text.lastIndex(of: "@").map { String(text[text.index(after: $0)...]) } ?? text
    }

    private static func failureReason(_ message: DMARCMessage, author: DMARCDomain, record: DMARCRecord) -> String {
        var parts: [String] = []
        if let spf = message.spf {
            parts.append(
                spf.result == .pass
                    ? "SPF domain \(spf.domain) not aligned (aspf=\(record.spfAlignment))" : "SPF \(spf.result) for \(spf.domain)"
            )
        } else {
            parts.append("no SPF result")
        }
        let passing = message.dkim.filter { $0.result == .pass }
        if passing.isEmpty {
            parts.append(message.dkim.isEmpty ? "no DKIM signature" : "no passing DKIM signature")
        } else {
            let domains = Set(passing.map { $0.domain.lowercased() }).sorted().prefix(5)
            parts.append("DKIM d=\(domains.joined(separator: ",")) not aligned (adkim=\(record.dkimAlignment))")
        }
        return "no identifier aligned with \(author.name): " + parts.joined(separator: "; ")
    }
}
