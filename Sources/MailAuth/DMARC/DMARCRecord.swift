/// A DMARC Policy Record (RFC 9989 §4.7): the tags Posta uses, with their defaults where the
/// record leaves them out. Unknown tags are ignored (§4.7), and so are the removed `pct`, `rf` and
/// `ri` (Appendix C.5.2); syntax errors in a tag leave that tag's default (§4.8) and are listed
/// in `problems`, which aggregate reports carry as `<error>` (RFC 9990 §3.1.5).
public struct DMARCRecord: Sendable, Hashable {
    /// `p`: the policy for the domain itself; nil when absent or invalid.
    public var policy: DMARCPolicy?
    /// `sp`: the policy for existing subdomains; nil when absent or invalid.
    public var subdomainPolicy: DMARCPolicy?
    /// `np`: the policy for non-existent subdomains; nil when absent or invalid.
    public var nonexistentSubdomainPolicy: DMARCPolicy?
    /// `psd`, default `u`.
    public var publicSuffix: DMARCPublicSuffixFlag
    /// `t=y`: the Domain Owner is testing its policy; one level below it is applied (§4.7 `t`).
    public var testing: Bool
    /// `adkim`, default relaxed.
    public var dkimAlignment: DMARCAlignmentMode
    /// `aspf`, default relaxed.
    public var spfAlignment: DMARCAlignmentMode
    /// `rua`: where aggregate reports go (syntactically valid URIs only).
    public var aggregateReportURIs: [DMARCReportURI]
    /// `ruf`: where failure reports go (syntactically valid URIs only).
    public var failureReportURIs: [DMARCReportURI]
    /// `fo` as written when valid (§4.8 `dmarc-fo`), default `0`.
    public var failureOptions: String
    /// True when `p`, `sp` or `np` is present with a value that is not a policy: §4.10.1 then
    /// has the record act as `p=none` if it has a reporting URI, and otherwise not apply at all.
    public var hasInvalidPolicy: Bool
    /// The syntax errors that were ignored, in record order.
    public var problems: [String]

    public init(
        policy: DMARCPolicy? = nil, subdomainPolicy: DMARCPolicy? = nil, nonexistentSubdomainPolicy: DMARCPolicy? = nil,
        publicSuffix: DMARCPublicSuffixFlag = .unknown, testing: Bool = false, dkimAlignment: DMARCAlignmentMode = .relaxed,
        spfAlignment: DMARCAlignmentMode = .relaxed, aggregateReportURIs: [DMARCReportURI] = [],
        failureReportURIs: [DMARCReportURI] = [], failureOptions: String = "0", hasInvalidPolicy: Bool = false,
        problems: [String] = []
    ) {
        self.policy = policy
        self.subdomainPolicy = subdomainPolicy
        self.nonexistentSubdomainPolicy = nonexistentSubdomainPolicy
        self.publicSuffix = publicSuffix
        self.testing = testing
        self.dkimAlignment = dkimAlignment
        self.spfAlignment = spfAlignment
        self.aggregateReportURIs = aggregateReportURIs
        self.failureReportURIs = failureReportURIs
        self.failureOptions = failureOptions
        self.hasInvalidPolicy = hasInvalidPolicy
        self.problems = problems
    }

    /// The record with the §4.10.1 repair applied: an invalid or missing `p` (or an invalid `sp` or
    /// `np`) makes a record with at least one reporting URI act as `p=none`; without one the
    /// record does not apply (nil).
    public var effective: DMARCRecord? {
        guard policy == nil || hasInvalidPolicy else { return self }
        guard !aggregateReportURIs.isEmpty || !failureReportURIs.isEmpty else { return nil }
        var repaired = self
        repaired.policy = DMARCPolicy.none
        repaired.subdomainPolicy = nil
        repaired.nonexistentSubdomainPolicy = nil
        repaired.hasInvalidPolicy = false
        return repaired
    }
}

/// What one TXT record at a `_dmarc` name is.
public enum DMARCRecordParse: Sendable, Hashable {
    /// It does not start with `v=DMARC1`: not a DMARC record, discarded (RFC 9989 §4.10 step 2).
    case notDMARC
    /// A DMARC record.
    case record(DMARCRecord)
    /// It starts with `v=DMARC1` but exceeds `DMARCLimits` (length, tag count): a record that
    /// cannot be used.
    case unusable(String)
}

extension DMARCRecord {
    /// Parses one TXT record (its strings already concatenated) by the grammar of RFC 9989 §4.8.
    public static func parse(_ text: String, limits: DMARCLimits = DMARCLimits()) -> DMARCRecordParse {
        guard startsWithVersion(text) else { return .notDMARC }
        guard text.utf8.count <= limits.recordLength else {
            return .unusable("DMARC record of \(text.utf8.count) octets (limit \(limits.recordLength))")
        }
        let pieces = Substring(text).trimmingWSP().split(separator: ";", omittingEmptySubsequences: false)
        guard pieces.count - 1 <= limits.recordTags else {
            return .unusable("DMARC record of more than \(limits.recordTags) tags")
        }
        var record = DMARCRecord()
        var seen: Set<String> = ["v"]
        for (index, rawPiece) in pieces.enumerated().dropFirst() {
            let piece = rawPiece.trimmingWSP()
            if piece.isEmpty {
                // dmarc-record ends in an optional dmarc-sep; empty tags elsewhere are errors.
                if index != pieces.count - 1 { record.problems.append("empty tag") }
                continue
            }
            guard let equals = piece.firstIndex(of: "=") else {
                record.problems.append("'\(clip(piece))' is not tag=value")
                continue
            }
            let name = piece[..<equals].trimmingWSP().lowercased()
            let value = piece[piece.index(after: equals)...].trimmingWSP()
            guard !name.isEmpty, name.allSatisfy(\.isASCIILetter) else {
                record.problems.append("'\(clip(piece))' has no tag name")
                continue
            }
            // dmarc-value = %x20-3A / %x3C-7E
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                record.problems.append("tag '\(name)' has an invalid value")
                if ["p", "sp", "np"].contains(name) { record.hasInvalidPolicy = true }
                continue
            }
            guard seen.insert(name).inserted else {
                record.problems.append("tag '\(name)' repeated; the first is used")
                continue
            }
            record.apply(name: name, value: value, limits: limits)
        }
        return .record(record)
    }

    /// `dmarc-version = "v" equals %s"DMARC1"` first, then the end or a `dmarc-sep`.
    static func startsWithVersion(_ text: String) -> Bool {
        var rest = Substring(text).trimmingWSP()
        guard let first = rest.first, first == "v" || first == "V" else { return false }
        rest = rest.dropFirst().trimmingWSP()
        guard rest.first == "=" else { return false }
        rest = rest.dropFirst().trimmingWSP()
        guard rest.hasPrefix("DMARC1") else { return false }
        rest = rest.dropFirst(6).trimmingWSP()
        return rest.isEmpty || rest.first == ";"
    }

    private mutating func apply(name: String, value: Substring, limits: DMARCLimits) {
        let lowered = value.lowercased()
        switch name {
        case "p", "sp", "np":
            guard let policy = DMARCPolicy(rawValue: lowered) else {
                problems.append("\(name)=\(Self.clip(value)) is not none, quarantine or reject")
                hasInvalidPolicy = true
                return
            }
            switch name {
            case "p": self.policy = policy
            case "sp": subdomainPolicy = policy
            default: nonexistentSubdomainPolicy = policy
            }
        case "t":
            switch lowered {
            case "y": testing = true
            case "n": testing = false
            default: problems.append("t=\(Self.clip(value)) is not y or n")
            }
        case "psd":
            if let flag = DMARCPublicSuffixFlag(rawValue: lowered) {
                publicSuffix = flag
            } else {
                problems.append("psd=\(Self.clip(value)) is not y, n or u")
            }
        case "adkim", "aspf":
            guard let mode = DMARCAlignmentMode(rawValue: lowered) else {
                problems.append("\(name)=\(Self.clip(value)) is not r or s")
                return
            }
            if name == "adkim" { dkimAlignment = mode } else { spfAlignment = mode }
        case "rua", "ruf":
            var uris: [DMARCReportURI] = []
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                guard let uri = DMARCReportURI(String(item)) else {
                    problems.append("\(name): '\(Self.clip(item.trimmingWSP()))' is not a valid URI")
                    continue
                }
                guard uris.count < limits.reportURIs else {
                    problems.append("\(name): URIs after the first \(limits.reportURIs) ignored")
                    break
                }
                uris.append(uri)
            }
            if name == "rua" { aggregateReportURIs = uris } else { failureReportURIs = uris }
        case "fo":
            if Self.isValidFailureOptions(lowered) {
                failureOptions = lowered
            } else {
                problems.append("fo=\(Self.clip(value)) is not a valid option list")
            }
        default:
            break  // unknown tags MUST be ignored (§4.7)
        }
    }

    /// `dmarc-fo`: colon-separated `0`, `1`, `d`, `s`; `0` and `1` exclusive, each at most once.
    static func isValidFailureOptions(_ value: String) -> Bool {
        let items = value.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingWSP() }
        guard !items.isEmpty, items.allSatisfy({ ["0", "1", "d", "s"].contains($0) }) else { return false }
        return Set(items).count == items.count && !(items.contains("0") && items.contains("1"))
    }

    /// At most 40 characters of record text, for problem descriptions.
    static func clip(_ text: some StringProtocol) -> String {
        text.count <= 40 ? String(text) : String(text.prefix(40)) + "…"
    }
}
