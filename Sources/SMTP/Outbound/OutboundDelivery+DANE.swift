extension OutboundDelivery.TLSChoice {
    /// How the server's certificate was authenticated, for the log: `dane`, `pkix` or `none`.
    var authentication: String { dane != nil ? "dane" : verified ? "pkix" : "none" }
}

extension OutboundDelivery {
    /// How one MX host is to be contacted, or why it is skipped (and what kind of problem that is).
    enum HostTLS: Hashable, Sendable {
        case use(TLSChoice)
        case skip(String, ProblemKind)
    }

    /// The TLS choice for one MX host of `domain`. Policy order (RFC 8461 §2 leaves it to the
    /// client; RFC 7672 §2.2): DANE when the host has secure TLSA records, else the domain's
    /// `fallback` (MTA-STS when that applies, else the configured or opportunistic TLS).
    /// A relay never gets here: its TLS is always verified against the configured anchors.
    /// `request` is the message's own say (RFC 8689): `TLS-Required: No` skips DANE,
    /// REQUIRETLS skips every host DANE does not authenticate.
    func tlsChoice(
        host: String, domain: String, mxSecure: Bool, fallback: TLSChoice, request: TLSRequest = .none,
        mtaSTS: OutboundDomainTLSPolicy? = nil
    ) async -> HostTLS {
        if request == .optional { return .use(fallback) }  // RFC 8689 §5: recipient policy ignored
        let choice = await daneChoice(host: host, domain: domain, mxSecure: mxSecure, fallback: fallback)
        guard request == .required, case .use(let chosen) = choice else { return choice }
        // RFC 8689 §5: the MX must be authenticated through DNSSEC (DANE) or MTA-STS and the
        // certificate verified: an `enforce` policy that lists the host is delivered to with
        // verified TLS by `attempt(…policy:)`.
        let stsAuthenticated = mtaSTS.map { $0.mode == .enforce && $0.permits(host) } ?? false
        guard chosen.dane != nil || stsAuthenticated else {
            return .skip("REQUIRETLS: \(host) is not authenticated by DANE or MTA-STS", .requireTLS)
        }
        return choice
    }

    private func daneChoice(host: String, domain: String, mxSecure: Bool, fallback: TLSChoice) async -> HostTLS {
        guard let dane, mxSecure else { return .use(fallback) }
        switch await dane.policy(host: host, domain: domain, mxSecure: mxSecure) {
        case .notApplicable:
            return .use(fallback)
        case .encryptOnly:
            // RFC 7672 §2.2: secure but unusable TLSA records still promise STARTTLS.
            return .use(TLSChoice(policy: .required, verified: fallback.verified))
        case .authenticate(let verifier):
            logger.debug("DANE applies", metadata: ["host": "\(host)", "records": "\(verifier.records)"])
            return .use(TLSChoice(policy: .required, verified: true, dane: verifier))
        case .unavailable(let problem):
            // RFC 7672 §2.2.1: a failed TLSA lookup in a signed zone must not downgrade; the
            // host is skipped (4.7.5 when no other host takes the message).
            return .skip("\(host): \(problem) (RFC 7672 §2.2.1)", .dane)
        }
    }
}
