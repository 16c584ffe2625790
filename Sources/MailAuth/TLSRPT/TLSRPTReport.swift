import Foundation

/// A TLS report (RFC 8460 §4.4), encoded with the RFC's member names.
public struct TLSRPTReport: Sendable, Hashable, Codable {
    public var organizationName: String
    public var dateRange: DateRange
    public var contactInfo: String
    public var reportID: String
    public var policies: [PolicyResult]

    public init(organizationName: String, dateRange: DateRange, contactInfo: String, reportID: String, policies: [PolicyResult]) {
        self.organizationName = organizationName
        self.dateRange = dateRange
        self.contactInfo = contactInfo
        self.reportID = reportID
        self.policies = policies
    }

    enum CodingKeys: String, CodingKey {
        case organizationName = "organization-name"
        case dateRange = "date-range"
        case contactInfo = "contact-info"
        case reportID = "report-id"
        case policies
    }

    /// `start-datetime` and `end-datetime` (RFC 3339 date-time, UTC).
    public struct DateRange: Sendable, Hashable, Codable {
        public var start: String
        public var end: String

        /// The range of whole seconds `[begin, end]` (seconds since 1970).
        public init(begin: Int64, end: Int64) {
            self.start = Self.dateTime(begin)
            self.end = Self.dateTime(end)
        }

        enum CodingKeys: String, CodingKey {
            case start = "start-datetime"
            case end = "end-datetime"
        }

        static func dateTime(_ seconds: Int64) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
    }

    /// One policy and the sessions made under it.
    public struct PolicyResult: Sendable, Hashable, Codable {
        public var policy: Policy
        public var summary: Summary
        public var failureDetails: [FailureDetail]?

        public init(policy: Policy, summary: Summary, failureDetails: [FailureDetail]? = nil) {
            self.policy = policy
            self.summary = summary
            self.failureDetails = failureDetails
        }

        enum CodingKeys: String, CodingKey {
            case policy, summary
            case failureDetails = "failure-details"
        }
    }

    public struct Policy: Sendable, Hashable, Codable {
        public var policyType: TLSRPTPolicyType
        /// The policy's lines (MTA-STS) or TLSA records (DANE); absent for `no-policy-found`.
        public var policyString: [String]?
        public var policyDomain: String
        /// The MX patterns of an MTA-STS policy.
        public var mxHost: [String]?

        public init(policyType: TLSRPTPolicyType, policyString: [String]? = nil, policyDomain: String, mxHost: [String]? = nil) {
            self.policyType = policyType
            self.policyString = policyString
            self.policyDomain = policyDomain
            self.mxHost = mxHost
        }

        enum CodingKeys: String, CodingKey {
            case policyType = "policy-type"
            case policyString = "policy-string"
            case policyDomain = "policy-domain"
            case mxHost = "mx-host"
        }
    }

    public struct Summary: Sendable, Hashable, Codable {
        public var totalSuccessfulSessionCount: Int64
        public var totalFailureSessionCount: Int64

        public init(successful: Int64, failed: Int64) {
            self.totalSuccessfulSessionCount = successful
            self.totalFailureSessionCount = failed
        }

        enum CodingKeys: String, CodingKey {
            case totalSuccessfulSessionCount = "total-successful-session-count"
            case totalFailureSessionCount = "total-failure-session-count"
        }
    }

    public struct FailureDetail: Sendable, Hashable, Codable {
        public var resultType: TLSRPTResultType
        public var sendingMTAIP: String?
        public var receivingMXHostname: String?
        public var receivingIP: String?
        public var failedSessionCount: Int64
        public var additionalInformation: String?
        public var failureReasonCode: String?

        public init(
            resultType: TLSRPTResultType, sendingMTAIP: String? = nil, receivingMXHostname: String? = nil,
            receivingIP: String? = nil, failedSessionCount: Int64, additionalInformation: String? = nil,
            failureReasonCode: String? = nil
        ) {
            self.resultType = resultType
            self.sendingMTAIP = sendingMTAIP
            self.receivingMXHostname = receivingMXHostname
            self.receivingIP = receivingIP
            self.failedSessionCount = failedSessionCount
            self.additionalInformation = additionalInformation
            self.failureReasonCode = failureReasonCode
        }

        enum CodingKeys: String, CodingKey {
            case resultType = "result-type"
            case sendingMTAIP = "sending-mta-ip"
            case receivingMXHostname = "receiving-mx-hostname"
            case receivingIP = "receiving-ip"
            case failedSessionCount = "failed-session-count"
            case additionalInformation = "additional-information"
            case failureReasonCode = "failure-reason-code"
        }
    }

    /// The report as JSON (RFC 8460 §4.4, I-JSON), keys sorted so equal reports are equal bytes.
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// The JSON compressed with gzip, as mailed (`application/tlsrpt+gzip`, RFC 8460 §5.3).
    public func gzippedJSON() throws -> [UInt8] { try Self.gzip(try json()) }

    /// `bytes` as one gzip member (RFC 1952).
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] { try DMARCFeedback.gzip(bytes) }

    /// The attachment name (RFC 8460 §5.1):
    /// `sender!policy-domain!begin-timestamp!end-timestamp[!unique-id].json[.gz]`.
    public static func filename(submitter: String, policyDomain: String, begin: Int64, end: Int64, gzip: Bool = true) -> String {
        "\(submitter)!\(policyDomain)!\(begin)!\(end).json" + (gzip ? ".gz" : "")
    }
}
