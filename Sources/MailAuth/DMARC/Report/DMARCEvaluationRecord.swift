/// What an aggregate report says of one evaluated message (RFC 9990 §3.1.1.7): the source, the
/// policy evaluation, the identifiers and the raw authentication results. Messages whose records
/// are equal are counted together in one `record` (one per IP, result and identifiers tuple).
public struct DMARCEvaluationRecord: Sendable, Hashable, Codable {
    public var sourceIP: String
    public var headerFrom: String
    public var envelopeFrom: String?
    public var envelopeTo: String?
    public var disposition: DMARCReportDisposition
    public var dkimAligned: Bool
    public var spfAligned: Bool
    public var reasons: [DMARCOverrideReason]
    public var dkim: [DMARCReportDKIMResult]
    public var spf: DMARCReportSPFResult?

    /// At most this many DKIM results per record (RFC 9990 §3.1.3 says no more than 100; Posta keeps
    /// fewer, in the order of preference given there).
    public static let maxDKIMResults = 20

    public init(
        sourceIP: String, headerFrom: String, envelopeFrom: String? = nil, envelopeTo: String? = nil,
        disposition: DMARCReportDisposition, dkimAligned: Bool, spfAligned: Bool, reasons: [DMARCOverrideReason] = [],
        dkim: [DMARCReportDKIMResult] = [], spf: DMARCReportSPFResult? = nil
    ) {
        self.sourceIP = sourceIP
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.disposition = disposition
        self.dkimAligned = dkimAligned
        self.spfAligned = spfAligned
        self.reasons = reasons
        self.dkim = dkim
        self.spf = spf
    }

    /// The record of a message DMARC evaluated with a record (a pass or a fail); nil for the other
    /// results, which no report covers. Human-readable details are left out, so that messages
    /// with the same outcome share a row.
    public init?(
        evaluation: DMARCEvaluation, message: DMARCMessage, sourceIP: String, envelopeFrom: String?,
        envelopeTo: String? = nil
    ) {
        guard [.pass, .fail].contains(evaluation.result), let author = evaluation.authorDomain else { return nil }
        let strict = DMARCDomain(author)
        // §3.1.3: strictly aligned passes, relaxed ones, other passes, then the rest.
        func rank(_ signature: DMARCDKIMInput) -> Int {
            guard signature.result == .pass else { return 3 }
            let domain = DMARCDomain(signature.domain)
            if domain != nil && domain == strict { return 0 }
            if let aligned = evaluation.dkimAlignedDomain, domain?.name == aligned { return 1 }
            return 2
        }
        let ranked = message.dkim.prefix(1000).enumerated().sorted {
            (rank($0.element), $0.offset) < (rank($1.element), $1.offset)
        }
        self.init(
            sourceIP: sourceIP, headerFrom: author, envelopeFrom: envelopeFrom.map { $0.lowercased() },
            envelopeTo: envelopeTo.map { $0.lowercased() }, disposition: evaluation.reportDisposition,
            dkimAligned: evaluation.dkimAligned, spfAligned: evaluation.spfAligned,
            reasons: evaluation.overrides.map { DMARCOverrideReason($0.type, comment: $0.comment) },
            dkim: ranked.prefix(Self.maxDKIMResults).map {
                DMARCReportDKIMResult(
                    domain: $0.element.domain.lowercased(), selector: $0.element.selector, result: $0.element.result)
            },
            spf: message.spf.map {
                DMARCReportSPFResult(
                    domain: DMARCChecker.domainPart($0.domain).lowercased(), result: DMARCReportSPFResultValue($0.result))
            })
    }

    /// The report record for `count` such messages.
    public func reportRecord(count: Int64) -> DMARCReportRecord {
        DMARCReportRecord(
            row: DMARCReportRow(
                sourceIP: sourceIP, count: count,
                policyEvaluated: DMARCPolicyEvaluated(
                    disposition: disposition, dkim: DMARCAlignedResult(dkimAligned), spf: DMARCAlignedResult(spfAligned),
                    reasons: reasons)),
            identifiers: DMARCReportIdentifiers(headerFrom: headerFrom, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo),
            authResults: DMARCReportAuthResults(dkim: dkim, spf: spf))
    }
}

/// Collects the evaluation records of one DMARC Policy Domain over one reporting period and
/// writes the aggregate report (RFC 9990 §3.1: one report per policy domain; one record per
/// distinct source, evaluation and identifiers, with its message count).
public struct DMARCAggregateBuilder: Sendable {
    public let policyPublished: DMARCPolicyPublished
    private var counts: [DMARCEvaluationRecord: Int64] = [:]
    private var order: [DMARCEvaluationRecord] = []

    public init(policyPublished: DMARCPolicyPublished) {
        self.policyPublished = policyPublished
    }

    /// Counts `count` messages with this record.
    public mutating func add(_ record: DMARCEvaluationRecord, count: Int64 = 1) {
        guard count > 0 else { return }
        if let known = counts[record] {
            let (sum, overflow) = known.addingReportingOverflow(count)
            counts[record] = overflow ? Int64.max : sum
        } else {
            counts[record] = count
            order.append(record)
        }
    }

    /// Distinct records so far.
    public var rowCount: Int { order.count }

    /// Messages so far.
    public var messageCount: Int64 { counts.values.reduce(0) { $0 &+ $1 } }

    /// The report; nil when no message was counted (a report has at least one record, §3.1.1.2).
    public func build(metadata: DMARCReportMetadata) -> DMARCFeedback? {
        guard !order.isEmpty else { return nil }
        return DMARCFeedback(
            metadata: metadata, policyPublished: policyPublished,
            records: order.map { $0.reportRecord(count: counts[$0] ?? 0) })
    }
}

/// The attachment file name of an aggregate report (RFC 9990 §3.5.2):
/// `receiver "!" policy-domain "!" begin "!" end [ "!" unique-id ] "." ("xml" / "xml.gz")`.
public struct DMARCReportFilename: Sendable, Hashable, CustomStringConvertible {
    public var receiver: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    /// `1*(ALPHA / DIGIT)`; other characters are dropped.
    public var uniqueID: String?
    public var gzip: Bool

    public init(receiver: String, policyDomain: String, begin: Int64, end: Int64, uniqueID: String? = nil, gzip: Bool = true) {
        self.receiver = receiver
        self.policyDomain = policyDomain
        self.begin = begin
        self.end = end
        self.uniqueID = uniqueID.map { String($0.filter { $0.isASCIILetter || $0.isASCIIDigit }) }.flatMap {
            $0.isEmpty ? nil : $0
        }
        self.gzip = gzip
    }

    public var description: String {
        var name = "\(receiver)!\(policyDomain)!\(begin)!\(end)"
        if let uniqueID { name += "!" + uniqueID }
        return name + (gzip ? ".xml.gz" : ".xml")
    }

    /// Reads a file name of that form; nil otherwise.
    public init?(parsing text: String) {
        let gzip = text.hasSuffix(".xml.gz")
        guard gzip || text.hasSuffix(".xml") else { return nil }
        let stem = text.dropLast(gzip ? 7 : 4)
        let fields = stem.split(separator: "!", omittingEmptySubsequences: false)
        guard (4...5).contains(fields.count), DMARCDomain(String(fields[0])) != nil, DMARCDomain(String(fields[1])) != nil,
            let begin = Int64(fields[2]), let end = Int64(fields[3]), begin >= 0, end >= 0
        else { return nil }
        if fields.count == 5 {
            guard !fields[4].isEmpty, fields[4].allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit }) else { return nil }
        }
        self.init(
            receiver: String(fields[0]), policyDomain: String(fields[1]), begin: begin, end: end,
            uniqueID: fields.count == 5 ? String(fields[4]) : nil, gzip: gzip)
    }
}
