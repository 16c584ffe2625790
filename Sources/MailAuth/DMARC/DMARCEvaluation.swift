/// The outcome of DMARC for one message (RFC 9989 §5.3): the result, the policy the Domain Owner
/// asks for, what the receiver should do (`disposition`), and why.
public struct DMARCEvaluation: Sendable, Hashable {
    public var result: DMARCResult
    /// The Author Domain evaluated (RFC 9989 §3.2.2), normalized; nil when there was none to use.
    public var authorDomain: String?
    /// Where the applied record was found (§3.2.5): the Author Domain, its Organizational Domain,
    /// or its Public Suffix Domain.
    public var policyDomain: String?
    /// The Author Domain's Organizational Domain, when it was determined.
    public var organizationalDomain: String?
    /// The record applied (after the §4.10.1 repair of a missing or invalid `p`).
    public var record: DMARCRecord?
    /// The Domain Owner Assessment Policy for this Author Domain: `p`, `sp` or `np` (§4.10.1).
    public var publishedPolicy: DMARCPolicy?
    /// `publishedPolicy` after `t=y` (one level lower): what the Domain Owner asks to be applied.
    public var requestedPolicy: DMARCPolicy?
    /// What to do with the message: `requestedPolicy` for failing mail, lowered by local policy;
    /// `none` for every other result (a `temperror` is the caller's to handle, §5.3.6).
    public var disposition: DMARCPolicy
    /// The aligned DKIM signing domain, if any.
    public var dkimAlignedDomain: String?
    /// The aligned SPF domain, if any.
    public var spfAlignedDomain: String?
    /// Why the disposition differs from the published policy (RFC 9990 §3.1.6).
    public var overrides: [DMARCOverrideReason]
    /// Notes for logs and `reason=`: what failed, which lookup broke, what was skipped.
    public var reasons: [String]

    public init(
        result: DMARCResult, authorDomain: String? = nil, policyDomain: String? = nil, organizationalDomain: String? = nil,
        record: DMARCRecord? = nil, publishedPolicy: DMARCPolicy? = nil, requestedPolicy: DMARCPolicy? = nil,
        disposition: DMARCPolicy = .none, dkimAlignedDomain: String? = nil, spfAlignedDomain: String? = nil,
        overrides: [DMARCOverrideReason] = [], reasons: [String] = []
    ) {
        self.result = result
        self.authorDomain = authorDomain
        self.policyDomain = policyDomain
        self.organizationalDomain = organizationalDomain
        self.record = record
        self.publishedPolicy = publishedPolicy
        self.requestedPolicy = requestedPolicy
        self.disposition = disposition
        self.dkimAlignedDomain = dkimAlignedDomain
        self.spfAlignedDomain = spfAlignedDomain
        self.overrides = overrides
        self.reasons = reasons
    }

    public var dkimAligned: Bool { dkimAlignedDomain != nil }
    public var spfAligned: Bool { spfAlignedDomain != nil }

    /// The disposition as an aggregate report states it (RFC 9990 `ActionDispositionType`):
    /// `pass` for passing mail under an enforcing policy, otherwise the disposition applied.
    public var reportDisposition: DMARCReportDisposition {
        switch result {
        case .pass: (requestedPolicy ?? DMARCPolicy.none) == DMARCPolicy.none ? .none : .pass
        case .fail: DMARCReportDisposition(disposition)
        case .none, .temperror, .permerror: .none
        }
    }
}

/// The policy action of an aggregate report row (RFC 9990 `ActionDispositionType`).
public enum DMARCReportDisposition: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// No action taken.
    case none
    /// No action: the message passed DMARC under an enforcing policy.
    case pass
    case quarantine
    case reject

    public var description: String { rawValue }

    public init(_ policy: DMARCPolicy) {
        switch policy {
        case .none: self = .none
        case .quarantine: self = .quarantine
        case .reject: self = .reject
        }
    }
}
