import Core

/// Why a receiver did not apply a Domain Owner's policy as published (RFC 9990 §3.1.6
/// `PolicyOverrideType`); RFC 7489's `forwarded` and `sampled_out` are read from old reports.
public enum DMARCOverrideType: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The receiver's local policy exempted the message.
    case localPolicy = "local_policy"
    /// The message came through a mailing list, where authentication was not expected to survive.
    case mailingList = "mailing_list"
    /// Another reason, told in the comment.
    case other
    /// The record's `t=y` (testing) lowered the policy.
    case policyTestMode = "policy_test_mode"
    /// A known, trusted forwarder (e.g. a trusted ARC sealer) vouched for the message.
    case trustedForwarder = "trusted_forwarder"
    /// RFC 7489 only.
    case forwarded
    /// RFC 7489 only (`pct`).
    case sampledOut = "sampled_out"

    public var description: String { rawValue }

    /// The types RFC 9990's schema allows.
    public var isInRFC9990: Bool { self != .forwarded && self != .sampledOut }
}

/// One override: its type and an optional comment (RFC 9990 `PolicyOverrideReason`).
public struct DMARCOverrideReason: Sendable, Hashable {
    public var type: DMARCOverrideType
    public var comment: String?

    public init(_ type: DMARCOverrideType, comment: String? = nil) {
        self.type = type
        self.comment = comment
    }
}

/// The site's local policy for failing mail (RFC 9989 §5.4: the final handling is the receiver's
/// choice): exemptions that lower the disposition, each recorded as an override reason so that
/// the Domain Owner learns of it through aggregate reports.
public struct DMARCLocalPolicy: Sendable, Hashable {
    public var exemptions: [DMARCExemption]
    /// The disposition, at most, of failing mail whose ARC chain a trusted sealer vouches for
    /// (`DMARCMessage.arcTrusted`).
    public var trustedARCDisposition: DMARCPolicy

    public init(exemptions: [DMARCExemption] = [], trustedARCDisposition: DMARCPolicy = .none) {
        self.exemptions = exemptions
        self.trustedARCDisposition = trustedARCDisposition
    }
}

/// One entry of the local whitelist.
public struct DMARCExemption: Sendable, Hashable {
    public enum Match: Sendable, Hashable {
        /// Mail whose RFC5322.From domain is this domain or below it.
        case authorDomain(String)
        /// Mail that passed SPF (MAIL FROM) or DKIM (`d=`) for this domain or one below it, e.g. a
        /// mailing list's own domain: only a passing check counts, so a forger cannot claim it.
        case authenticatedDomain(String)
        /// Mail from a client address in this network (`DMARCMessage.clientIP`), e.g. a mailing
        /// list server that breaks signatures.
        case clientNetwork(NetworkPrefix)
    }

    public var match: Match
    /// Recorded in reports: `mailing_list`, `local_policy`, `trusted_forwarder` or `other`.
    public var reason: DMARCOverrideType
    /// The strictest disposition left for matching mail (usually `none`).
    public var disposition: DMARCPolicy
    public var comment: String?

    public init(
        _ match: Match, reason: DMARCOverrideType = .localPolicy, disposition: DMARCPolicy = .none, comment: String? = nil
    ) {
        self.match = match
        self.reason = reason
        self.disposition = disposition
        self.comment = comment
    }
}
