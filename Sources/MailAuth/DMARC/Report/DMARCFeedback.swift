import Foundation
import XMLCoder

/// A DMARC aggregate report (RFC 9990 §3.1, Appendix A `feedback`), as Posta writes it and as it
/// reads those of other receivers (RFC 7489 reports too: elements RFC 9990 dropped, such as
/// `pct`, and extensions, §5, are ignored).
///
/// Each type encodes its elements in the order the schema's sequences require.
public struct DMARCFeedback: Sendable, Hashable, Codable {
    /// The XML namespace of RFC 9990 reports (§6.1).
    public static let namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

    /// `version`: "1.0" when present.
    public var version: String?
    public var metadata: DMARCReportMetadata
    public var policyPublished: DMARCPolicyPublished
    public var records: [DMARCReportRecord]

    public init(
        version: String? = "1.0", metadata: DMARCReportMetadata, policyPublished: DMARCPolicyPublished,
        records: [DMARCReportRecord]
    ) {
        self.version = version
        self.metadata = metadata
        self.policyPublished = policyPublished
        self.records = records
    }

    enum CodingKeys: String, CodingKey {
        case version
        case metadata = "report_metadata"
        case policyPublished = "policy_published"
        case records = "record"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        metadata = try container.decode(DMARCReportMetadata.self, forKey: .metadata)
        policyPublished = try container.decode(DMARCPolicyPublished.self, forKey: .policyPublished)
        records = try container.decodeIfPresent([DMARCReportRecord].self, forKey: .records) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(policyPublished, forKey: .policyPublished)
        try container.encode(records, forKey: .records)
    }
}

/// Text a person reads, with an optional `lang` attribute (RFC 9990 `langAttrString`).
public struct DMARCReportText: Sendable, Hashable, Codable, DynamicNodeEncoding, DynamicNodeDecoding,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public var value: String
    public var lang: String?

    public init(_ value: String, lang: String? = nil) {
        self.value = value
        self.lang = lang
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { value }

    enum CodingKeys: String, CodingKey {
        case value = ""
        case lang
    }

    public init(from decoder: any Decoder) throws {
        // An element with attributes decodes keyed (its text under the "" key); a plain string
        // (JSON, or an element without attributes) decodes as a single value.
        let keyed = try? decoder.container(keyedBy: CodingKeys.self)
        lang = (try? keyed?.decodeIfPresent(String.self, forKey: .lang)) ?? nil
        if let text = (try? keyed?.decodeIfPresent(String.self, forKey: .value)) ?? nil {
            value = text
        } else if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            value = text
        } else {
            value = ""
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(lang, forKey: .lang)
        try container.encode(value, forKey: .value)
    }

    public static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding {
        key.stringValue == CodingKeys.lang.stringValue ? .attribute : .element
    }

    public static func nodeDecoding(for key: any CodingKey) -> XMLDecoder.NodeDecoding {
        key.stringValue == CodingKeys.lang.stringValue ? .attribute : .element
    }
}

/// `report_metadata` (RFC 9990 §3.1.1.3).
public struct DMARCReportMetadata: Sendable, Hashable, Codable {
    /// The Reporting Organization.
    public var orgName: String
    /// Its contact address.
    public var email: String
    public var extraContactInfo: DMARCReportText?
    /// Unique among reports to the same domain (§3.5.1 `ridtxt`).
    public var reportID: String
    public var dateRange: DMARCDateRange
    /// Problems met with the DMARC record (one `error` element; RFC 7489 reports may have several).
    public var errors: [String]
    /// Name and version of the software that wrote the report.
    public var generator: String?

    public init(
        orgName: String, email: String, extraContactInfo: DMARCReportText? = nil, reportID: String, dateRange: DMARCDateRange,
        errors: [String] = [], generator: String? = nil
    ) {
        self.orgName = orgName
        self.email = email
        self.extraContactInfo = extraContactInfo
        self.reportID = reportID
        self.dateRange = dateRange
        self.errors = errors
        self.generator = generator
    }

    enum CodingKeys: String, CodingKey {
        case orgName = "org_name"
        case email
        case extraContactInfo = "extra_contact_info"
        case reportID = "report_id"
        case dateRange = "date_range"
        case errors = "error"
        case generator
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        orgName = try container.decode(String.self, forKey: .orgName)
        email = try container.decodeIfPresent(String.self, forKey: .email) ?? ""
        extraContactInfo = try container.decodeIfPresent(DMARCReportText.self, forKey: .extraContactInfo)
        reportID = try container.decode(String.self, forKey: .reportID)
        dateRange = try container.decode(DMARCDateRange.self, forKey: .dateRange)
        errors = (try container.decodeIfPresent([DMARCReportText].self, forKey: .errors) ?? []).map(\.value)
        generator = try container.decodeIfPresent(String.self, forKey: .generator)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orgName, forKey: .orgName)
        try container.encode(email, forKey: .email)
        try container.encodeIfPresent(extraContactInfo, forKey: .extraContactInfo)
        try container.encode(reportID, forKey: .reportID)
        try container.encode(dateRange, forKey: .dateRange)
        // The schema allows one `error` element.
        if !errors.isEmpty { try container.encode(errors.joined(separator: "; "), forKey: .errors) }
        try container.encodeIfPresent(generator, forKey: .generator)
    }
}

/// `date_range`: the reporting period in seconds since the epoch, UTC (§3.1.1.4).
public struct DMARCDateRange: Sendable, Hashable, Codable {
    public var begin: Int64
    public var end: Int64

    public init(begin: Int64, end: Int64) {
        self.begin = begin
        self.end = end
    }
}

/// `discovery_method` (§3.1.1.5).
public enum DMARCDiscoveryMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// RFC 7489's public suffix list.
    case psl
    /// RFC 9989's DNS Tree Walk.
    case treewalk
}

/// `policy_published`: the record as the receiver saw it (§3.1.1.5).
public struct DMARCPolicyPublished: Sendable, Hashable, Codable {
    /// The DMARC Policy Domain.
    public var domain: String
    public var discoveryMethod: DMARCDiscoveryMethod?
    public var p: DMARCPolicy
    public var sp: DMARCPolicy?
    public var np: DMARCPolicy?
    public var fo: String?
    public var adkim: DMARCAlignmentMode?
    public var aspf: DMARCAlignmentMode?
    /// The `t` tag: true for `y`.
    public var testing: Bool?

    public init(
        domain: String, discoveryMethod: DMARCDiscoveryMethod? = .treewalk, p: DMARCPolicy, sp: DMARCPolicy? = nil,
        np: DMARCPolicy? = nil, fo: String? = nil, adkim: DMARCAlignmentMode? = nil, aspf: DMARCAlignmentMode? = nil,
        testing: Bool? = nil
    ) {
        self.domain = domain
        self.discoveryMethod = discoveryMethod
        self.p = p
        self.sp = sp
        self.np = np
        self.fo = fo
        self.adkim = adkim
        self.aspf = aspf
        self.testing = testing
    }

    /// What Posta publishes for a record it found at `domain` by the tree walk.
    public init(domain: String, record: DMARCRecord) {
        self.init(
            domain: domain, discoveryMethod: .treewalk, p: record.policy ?? .none, sp: record.subdomainPolicy,
            np: record.nonexistentSubdomainPolicy, fo: record.failureOptions, adkim: record.dkimAlignment,
            aspf: record.spfAlignment, testing: record.testing)
    }

    enum CodingKeys: String, CodingKey {
        case domain
        case discoveryMethod = "discovery_method"
        case p, sp, np, fo, adkim, aspf, testing
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decode(String.self, forKey: .domain)
        discoveryMethod = try container.lenientIfPresent(DMARCDiscoveryMethod.self, forKey: .discoveryMethod)
        p = try container.lenientIfPresent(DMARCPolicy.self, forKey: .p) ?? .none
        sp = try container.lenientIfPresent(DMARCPolicy.self, forKey: .sp)
        np = try container.lenientIfPresent(DMARCPolicy.self, forKey: .np)
        fo = try container.decodeIfPresent(String.self, forKey: .fo)
        adkim = try container.lenientIfPresent(DMARCAlignmentMode.self, forKey: .adkim)
        aspf = try container.lenientIfPresent(DMARCAlignmentMode.self, forKey: .aspf)
        testing = try container.decodeIfPresent(String.self, forKey: .testing).map { $0.lowercased() == "y" }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encodeIfPresent(discoveryMethod, forKey: .discoveryMethod)
        try container.encode(p, forKey: .p)
        try container.encodeIfPresent(sp, forKey: .sp)
        try container.encodeIfPresent(np, forKey: .np)
        try container.encodeIfPresent(fo, forKey: .fo)
        try container.encodeIfPresent(adkim, forKey: .adkim)
        try container.encodeIfPresent(aspf, forKey: .aspf)
        try container.encodeIfPresent(testing.map { $0 ? "y" : "n" }, forKey: .testing)
    }
}

/// A DMARC-aligned authentication result in `policy_evaluated` (`DMARCResultType`).
public enum DMARCAlignedResult: String, Sendable, Hashable, Codable {
    case pass, fail

    public init(_ aligned: Bool) { self = aligned ? .pass : .fail }
}

/// `record`: one row of messages with the same source, evaluation and identifiers (§3.1.1.7).
public struct DMARCReportRecord: Sendable, Hashable, Codable {
    public var row: DMARCReportRow
    public var identifiers: DMARCReportIdentifiers
    public var authResults: DMARCReportAuthResults

    public init(row: DMARCReportRow, identifiers: DMARCReportIdentifiers, authResults: DMARCReportAuthResults) {
        self.row = row
        self.identifiers = identifiers
        self.authResults = authResults
    }

    enum CodingKeys: String, CodingKey {
        case row, identifiers
        case authResults = "auth_results"
    }
}

/// `row` (§3.1.1.8).
public struct DMARCReportRow: Sendable, Hashable, Codable {
    /// The connecting IP address.
    public var sourceIP: String
    /// How many messages.
    public var count: Int64
    public var policyEvaluated: DMARCPolicyEvaluated

    public init(sourceIP: String, count: Int64, policyEvaluated: DMARCPolicyEvaluated) {
        self.sourceIP = sourceIP
        self.count = count
        self.policyEvaluated = policyEvaluated
    }

    enum CodingKeys: String, CodingKey {
        case sourceIP = "source_ip"
        case count
        case policyEvaluated = "policy_evaluated"
    }
}

/// `policy_evaluated` (§3.1.1.9): the disposition applied and the aligned DKIM and SPF results.
public struct DMARCPolicyEvaluated: Sendable, Hashable, Codable {
    public var disposition: DMARCReportDisposition
    public var dkim: DMARCAlignedResult
    public var spf: DMARCAlignedResult
    public var reasons: [DMARCOverrideReason]

    public init(
        disposition: DMARCReportDisposition, dkim: DMARCAlignedResult, spf: DMARCAlignedResult,
        reasons: [DMARCOverrideReason] = []
    ) {
        self.disposition = disposition
        self.dkim = dkim
        self.spf = spf
        self.reasons = reasons
    }

    enum CodingKeys: String, CodingKey {
        case disposition, dkim, spf
        case reasons = "reason"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        disposition = try container.lenient(DMARCReportDisposition.self, forKey: .disposition)
        dkim = try container.lenientIfPresent(DMARCAlignedResult.self, forKey: .dkim) ?? .fail
        spf = try container.lenientIfPresent(DMARCAlignedResult.self, forKey: .spf) ?? .fail
        reasons = try container.decodeIfPresent([DMARCOverrideReason].self, forKey: .reasons) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(disposition, forKey: .disposition)
        try container.encode(dkim, forKey: .dkim)
        try container.encode(spf, forKey: .spf)
        if !reasons.isEmpty { try container.encode(reasons, forKey: .reasons) }
    }
}

extension DMARCOverrideReason: Codable {
    enum CodingKeys: String, CodingKey {
        case type, comment
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.lenientIfPresent(DMARCOverrideType.self, forKey: .type) ?? .other
        comment = try container.decodeIfPresent(DMARCReportText.self, forKey: .comment)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encodeIfPresent(comment, forKey: .comment)
    }
}

/// `identifiers` (§3.1.1.10).
public struct DMARCReportIdentifiers: Sendable, Hashable, Codable {
    /// The RFC5322.From domain.
    public var headerFrom: String
    /// The RFC5321.MailFrom domain SPF checked; empty for a null reverse-path.
    public var envelopeFrom: String?
    /// The RFC5321.RcptTo domain.
    public var envelopeTo: String?

    public init(headerFrom: String, envelopeFrom: String? = nil, envelopeTo: String? = nil) {
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
    }

    enum CodingKeys: String, CodingKey {
        case headerFrom = "header_from"
        case envelopeFrom = "envelope_from"
        case envelopeTo = "envelope_to"
    }
}

/// `auth_results`: the DKIM and SPF results, not interpreted for DMARC (§3.1.1.11).
public struct DMARCReportAuthResults: Sendable, Hashable, Codable {
    public var dkim: [DMARCReportDKIMResult]
    public var spf: DMARCReportSPFResult?

    public init(dkim: [DMARCReportDKIMResult] = [], spf: DMARCReportSPFResult? = nil) {
        self.dkim = dkim
        self.spf = spf
    }

    enum CodingKeys: String, CodingKey {
        case dkim, spf
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dkim = try container.decodeIfPresent([DMARCReportDKIMResult].self, forKey: .dkim) ?? []
        // RFC 7489 allowed several SPF results; RFC 9990 has one (the MAIL FROM identity).
        let spfResults = try container.decodeIfPresent([DMARCReportSPFResult].self, forKey: .spf) ?? []
        spf = spfResults.first { $0.scope != "helo" } ?? spfResults.first
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !dkim.isEmpty { try container.encode(dkim, forKey: .dkim) }
        try container.encodeIfPresent(spf, forKey: .spf)
    }
}

/// One DKIM signature's result (§3.1.1.11 `dkim`).
public struct DMARCReportDKIMResult: Sendable, Hashable, Codable {
    /// The `d=` tag.
    public var domain: String
    /// The `s=` tag (RFC 7489 reports may lack it).
    public var selector: String?
    public var result: DMARCDKIMResult
    public var humanResult: String?

    public init(domain: String, selector: String?, result: DMARCDKIMResult, humanResult: String? = nil) {
        self.domain = domain
        self.selector = selector
        self.result = result
        self.humanResult = humanResult
    }

    enum CodingKeys: String, CodingKey {
        case domain, selector, result
        case humanResult = "human_result"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decodeIfPresent(String.self, forKey: .domain) ?? ""
        selector = try container.decodeIfPresent(String.self, forKey: .selector)
        result = try container.lenient(DMARCDKIMResult.self, forKey: .result)
        humanResult = try container.decodeIfPresent(DMARCReportText.self, forKey: .humanResult)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(selector ?? "", forKey: .selector)
        try container.encode(result, forKey: .result)
        if let humanResult, !humanResult.isEmpty { try container.encode(humanResult, forKey: .humanResult) }
    }
}

/// The SPF result values a report may carry (RFC 8601 §2.7.2, `SPFResultType`).
public enum DMARCReportSPFResultValue: String, Sendable, Hashable, Codable, CaseIterable {
    case none, neutral, pass, fail, softfail, policy, temperror, permerror

    public init(_ result: SPFResult) {
        switch result {
        case .none: self = .none
        case .neutral: self = .neutral
        case .pass: self = .pass
        case .fail: self = .fail
        case .softfail: self = .softfail
        case .temperror: self = .temperror
        case .permerror: self = .permerror
        }
    }
}

/// The SPF result of the MAIL FROM identity (§3.1.1.11 `spf`).
public struct DMARCReportSPFResult: Sendable, Hashable, Codable {
    public var domain: String
    /// `mfrom` (RFC 7489 reports may say `helo`).
    public var scope: String?
    public var result: DMARCReportSPFResultValue
    public var humanResult: String?

    public init(domain: String, scope: String? = "mfrom", result: DMARCReportSPFResultValue, humanResult: String? = nil) {
        self.domain = domain
        self.scope = scope
        self.result = result
        self.humanResult = humanResult
    }

    enum CodingKeys: String, CodingKey {
        case domain, scope, result
        case humanResult = "human_result"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        domain = try container.decodeIfPresent(String.self, forKey: .domain) ?? ""
        scope = try container.decodeIfPresent(String.self, forKey: .scope)
        let raw = try container.decode(String.self, forKey: .result).trimmingWhitespace().lowercased()
        // "hardfail" is seen in the wild for "fail".
        guard let value = DMARCReportSPFResultValue(rawValue: raw == "hardfail" ? "fail" : raw) else {
            throw DecodingError.dataCorruptedError(
                forKey: .result, in: container, debugDescription: "unknown SPF result '\(raw)'")
        }
        result = value
        humanResult = try container.decodeIfPresent(DMARCReportText.self, forKey: .humanResult)?.value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        if let scope, scope == "mfrom" { try container.encode(scope, forKey: .scope) }
        try container.encode(result, forKey: .result)
        if let humanResult, !humanResult.isEmpty { try container.encode(humanResult, forKey: .humanResult) }
    }
}

extension KeyedDecodingContainer {
    /// A string-valued enum, read case-insensitively and with surrounding white space ignored.
    func lenient<T: RawRepresentable>(_ type: T.Type, forKey key: Key) throws -> T where T.RawValue == String {
        let raw = try decode(String.self, forKey: key)
        guard let value = T(rawValue: raw.trimmingWhitespace().lowercased()) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "unknown value '\(raw.prefix(40))'")
        }
        return value
    }

    /// As `lenient`, nil when the element is absent or empty.
    func lenientIfPresent<T: RawRepresentable>(_ type: T.Type, forKey key: Key) throws -> T? where T.RawValue == String {
        guard let raw = try decodeIfPresent(String.self, forKey: key), !raw.trimmingWhitespace().isEmpty else { return nil }
        return try lenient(type, forKey: key)
    }
}

extension String {
    func trimmingWhitespace() -> String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
