import Core
import Queue

/// The TLS policy a recipient domain publishes through MTA-STS (below DANE, above opportunistic
/// TLS), as outbound delivery applies it. SMTP does not know where it came from: the
/// Server module looks it up (`OutboundTLSPolicySource`) and records what happened.
public struct OutboundDomainTLSPolicy: Sendable {
    public enum Mode: Sendable, Hashable {
        /// Only permitted MX hosts, STARTTLS required, certificate verified for the MX name; else
        /// defer (RFC 8461 §5).
        case enforce
        /// Deliver as without a policy, but check as `enforce` would and report failures (§5).
        case testing
    }

    public var mode: Mode
    /// For messages and logs, e.g. "MTA-STS".
    public var name: String
    /// The policy as TLS-RPT lists it (`policy-string`, `mx-host`, RFC 8460 §4.4).
    public var policyStrings: [String]
    public var mxPatterns: [String]
    /// Whether mail may go to this MX host (RFC 8461 §4.1).
    public let permits: @Sendable (String) -> Bool

    public init(
        mode: Mode, name: String, policyStrings: [String] = [], mxPatterns: [String] = [],
        permits: @escaping @Sendable (String) -> Bool
    ) {
        self.mode = mode
        self.name = name
        self.policyStrings = policyStrings
        self.mxPatterns = mxPatterns
        self.permits = permits
    }
}

/// How one outbound session went for TLS, in the terms of RFC 8460 §4.3.
public enum OutboundTLSResult: String, Sendable, Hashable {
    case success
    case starttlsNotSupported = "starttls-not-supported"
    case certificateHostMismatch = "certificate-host-mismatch"
    case certificateNotTrusted = "certificate-not-trusted"
    case validationFailure = "validation-failure"
}

/// Where outbound delivery gets each recipient domain's TLS policy and reports TLS outcomes to.
public protocol OutboundTLSPolicySource: Sendable {
    /// The policy of `domain` (lower-case); nil: opportunistic TLS as without a policy.
    func policy(for domain: String) async -> OutboundDomainTLSPolicy?
    /// One session (or refusal of an MX host) with `host` at `address` for `domain`.
    func record(
        domain: String, policy: OutboundDomainTLSPolicy?, host: String, address: String?, result: OutboundTLSResult,
        detail: String?) async
}

extension OutboundDelivery {
    /// One attempt at `host` under the domain's `policy` (RFC 8461 §5):
    /// - no policy: `fallback` (the configured TLS choice), the outcome reported;
    /// - `enforce`: STARTTLS required and the certificate verified for the MX name; a host the
    ///   policy does not list is not tried;
    /// - `testing`: first as `enforce` would; when TLS fails that way, the failure is reported and
    ///   the host is tried again with `fallback`.
    func attempt(
        _ message: OutboundMessage, targets: [OutboundTarget], host: String, address: String, hostTLS fallback: TLSChoice,
        domain: String, policy: OutboundDomainTLSPolicy?
    ) async -> Attempt {
        // DANE, when it applies, takes precedence over MTA-STS (RFC 8461 §2).
        guard let policy, let tlsPolicies, fallback.dane == nil else {
            let outcome = await attempt(message, targets: targets, host: host, address: address, port: port, tls: fallback)
            await report(outcome, domain: domain, policy: nil, host: host, address: address)
            return outcome
        }
        let strict = TLSChoice(policy: .required, verified: true)
        guard policy.permits(host) else {
            await tlsPolicies.record(
                domain: domain, policy: policy, host: host, address: nil, result: .validationFailure,
                detail: "MX host \(host) is not listed in the \(policy.name) policy")
            if policy.mode == .enforce { return .notTaken("\(host) is not an MX host of the \(policy.name) policy", result: nil) }
            return await attempt(message, targets: targets, host: host, address: address, port: port, tls: fallback)
        }
        let outcome = await attempt(message, targets: targets, host: host, address: address, port: port, tls: strict)
        let failure = await report(outcome, domain: domain, policy: policy, host: host, address: address)
        guard policy.mode == .testing, failure else { return outcome }
        return await attempt(message, targets: targets, host: host, address: address, port: port, tls: fallback)
    }

    /// Reports a finished attempt's TLS outcome; true when TLS failed (not when the host could not be reached).
    @discardableResult
    private func report(
        _ outcome: Attempt, domain: String, policy: OutboundDomainTLSPolicy?, host: String, address: String
    ) async -> Bool {
        guard let tlsPolicies else { return false }
        let result: OutboundTLSResult
        var detail: String?
        switch outcome {
        case .done(_, let usedTLS):
            if usedTLS {
                result = .success
            } else if policy == nil {
                result = .starttlsNotSupported
            } else {
                return false
            }
        case .notTaken(let problem, let delivery):
            guard let delivery, let classified = Self.tlsFailure(delivery) else { return false }
            result = classified
            detail = String(problem.prefix(200))
        }
        await tlsPolicies.record(domain: domain, policy: policy, host: host, address: address, result: result, detail: detail)
        return result != .success
    }

    /// The RFC 8460 §4.3.1 result type of a session that ended before any recipient was
    /// answered, nil when TLS was not the cause. The SMTP client reports a failed handshake by
    /// the TLS library's error text, so certificate problems are told apart by that text:
    /// NIOSSL's hostname check (`failedToValidateHostname`) and BoringSSL's
    /// `CERTIFICATE_VERIFY_FAILED` (which covers untrusted and expired chains alike).
    static func tlsFailure(_ result: SMTPDeliveryResult) -> OutboundTLSResult? {
        guard !result.usedTLS else { return nil }
        let text = result.recipients.first.map { $0.outcome.reply.lines.joined(separator: " ") } ?? ""
        if text.contains("failedToValidateHostname") || text.lowercased().contains("hostname") {
            return .certificateHostMismatch
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return .certificateNotTrusted }
        if text.contains("TLS") || text.contains("SSL") || text.contains("handshake") {
            return result.capabilities.startTLS ? .validationFailure : .starttlsNotSupported
        }
        if !result.capabilities.startTLS, !result.capabilities.keywords.isEmpty { return .starttlsNotSupported }
        return nil
    }
}
