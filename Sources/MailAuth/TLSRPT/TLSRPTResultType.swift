/// Why a TLS session failed or a policy could not be applied (RFC 8460 §4.3).
public enum TLSRPTResultType: String, Sendable, Hashable, Codable, CaseIterable {
    // §4.3.1 negotiation failures
    case starttlsNotSupported = "starttls-not-supported"
    case certificateHostMismatch = "certificate-host-mismatch"
    case certificateExpired = "certificate-expired"
    case certificateNotTrusted = "certificate-not-trusted"
    case validationFailure = "validation-failure"
    // §4.3.2.1 DANE policy failures
    case tlsaInvalid = "tlsa-invalid"
    case dnssecInvalid = "dnssec-invalid"
    case daneRequired = "dane-required"
    // §4.3.2.2 MTA-STS policy failures
    case stsPolicyFetchError = "sts-policy-fetch-error"
    case stsPolicyInvalid = "sts-policy-invalid"
    case stsWebPKIInvalid = "sts-webpki-invalid"
}

/// The kind of policy a report section is about (RFC 8460 §4.4 `policy-type`).
public enum TLSRPTPolicyType: String, Sendable, Hashable, Codable, CaseIterable {
    case tlsa
    case sts
    case noPolicyFound = "no-policy-found"
}
