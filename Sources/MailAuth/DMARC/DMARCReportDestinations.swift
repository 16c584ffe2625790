import DNS

/// Whether an aggregate report may go to a reporting URI (RFC 9990 §4 "Verifying External
/// Destinations").
public enum DMARCDestinationCheck: Sendable, Hashable {
    /// Send to this URI: same Organizational Domain as the policy domain, or authorized by the
    /// destination's `_report._dmarc` record (possibly replaced by that record's own `rua`).
    case accepted(DMARCReportURI)
    /// Do not send: another organization that has not agreed, a scheme Posta does not send to, or
    /// an override pointing elsewhere.
    case refused(DMARCReportURI, reason: String)
    /// The check met a DNS failure; it can be repeated later.
    case temporaryFailure(DMARCReportURI, reason: String)
}

/// RFC 9990 §4: a reporting address outside the Organizational Domain of the domain whose record
/// names it is used only if `<policy-domain>._report._dmarc.<destination-host>` holds a TXT record
/// starting with `v=DMARC1`.
public enum DMARCReportDestinations {
    /// Checks every URI of a record's `rua`, in order.
    public static func verify(
        _ uris: [DMARCReportURI], policyDomain: String, dns: any DMARCDNS, limits: DMARCLimits = DMARCLimits()
    ) async -> [DMARCDestinationCheck] {
        var lookups = DMARCLookups(dns: dns, limits: limits)
        var checks: [DMARCDestinationCheck] = []
        for uri in uris.prefix(limits.reportURIs) {
            checks += await verify(uri, policyDomain: policyDomain, lookups: &lookups)
        }
        return checks
    }

    static func verify(_ uri: DMARCReportURI, policyDomain text: String, lookups: inout DMARCLookups) async
        -> [DMARCDestinationCheck]
    {
        guard uri.scheme == "mailto", let host = uri.host else {
            return [.refused(uri, reason: "only mailto: reporting URIs are supported")]
        }
        guard let policyDomain = DMARCDomain(text) else {
            return [.refused(uri, reason: "'\(text)' is not a domain name")]
        }
        let policyOrganizational: DMARCDomain
        let hostOrganizational: DMARCDomain
        switch await lookups.organizationalDomain(of: policyDomain) {
        case .success(let domain): policyOrganizational = domain
        case .failure(let failure): return [.temporaryFailure(uri, reason: failure.reason)]
        }
        switch await lookups.organizationalDomain(of: host) {
        case .success(let domain): hostOrganizational = domain
        case .failure(let failure): return [.temporaryFailure(uri, reason: failure.reason)]
        }
        if policyOrganizational == hostOrganizational { return [.accepted(uri)] }
        // Steps 2–4: <policy-domain>._report._dmarc.<destination host>, within DNS limits.
        let name = policyDomain.name + "._report._dmarc." + host.name
        guard name.utf8.count <= 253, policyDomain.labels.allSatisfy({ $0.utf8.count <= 63 }) else {
            return [.refused(uri, reason: "\(name.prefix(60))… exceeds DNS name limits")]
        }
        let texts: [String]
        do {
            switch try await lookups.dns.txt(name) {
            case .found(let found): texts = found
            case .noData, .nxDomain: return [.refused(uri, reason: "\(name) has no DMARC record")]
            }
        } catch {
            return [.temporaryFailure(uri, reason: "DNS lookup of \(name) failed: \(error)")]
        }
        // Steps 6–8: records that start with v=DMARC1 authorize.
        let records = texts.compactMap { text -> DMARCRecord? in
            if case .record(let record) = DMARCRecord.parse(text, limits: lookups.limits) { return record }
            return nil
        }
        guard let authorizing = records.first else { return [.refused(uri, reason: "\(name) has no DMARC record")] }
        // Step 9: the Report Consumer may replace the URI, but only with ones to the same host.
        let overrides = authorizing.aggregateReportURIs
        guard !overrides.isEmpty else { return [.accepted(uri)] }
        guard overrides.allSatisfy({ $0.host == host }) else {
            return [.refused(uri, reason: "\(name) redirects reports to another host")]
        }
        return overrides.map { override in
            override.scheme == "mailto"
                ? .accepted(override) : .refused(override, reason: "only mailto: reporting URIs are supported")
        }
    }
}
