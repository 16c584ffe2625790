import DNS

/// What the DNS holds at one `_dmarc` name, after RFC 9989 §4.10 steps 2/6: records that do not
/// start with `v=DMARC1` are discarded, and several DMARC records are all discarded.
public enum DMARCRecordLookup: Sendable, Hashable {
    /// No DMARC record (none at all, none that is DMARC, or several).
    case none
    /// Exactly one DMARC record.
    case record(DMARCRecord)
    /// Exactly one DMARC record, which exceeds the limits (`DMARCRecordParse.unusable`).
    case unusable(String)
    /// The lookup failed (timeout, SERVFAIL, …): a temporary error.
    case failed(String)

    /// True when one DMARC record is there (usable or not): the name has a record in the walk.
    var hasRecord: Bool {
        switch self {
        case .record, .unusable: true
        case .none, .failed: false
        }
    }

    var psd: DMARCPublicSuffixFlag {
        if case .record(let record) = self { record.publicSuffix } else { .unknown }
    }
}

/// The DMARC lookups of one evaluation: each `_dmarc` name is asked at most once (the policy walk
/// and the alignment walks share most names, §4.10.2), and each walk makes at most
/// `DMARCLimits.treeWalkQueries` queries (§4.10).
struct DMARCLookups {
    let dns: any DMARCDNS
    let limits: DMARCLimits
    private var cache: [DMARCDomain: DMARCRecordLookup] = [:]
    private var organizational: [DMARCDomain: Result<DMARCDomain, DMARCTemporaryFailure>] = [:]
    /// DNS queries made so far.
    private(set) var queries = 0

    init(dns: any DMARCDNS, limits: DMARCLimits) {
        self.dns = dns
        self.limits = limits
    }

    /// The DMARC record at `_dmarc.<domain>`.
    mutating func lookup(_ domain: DMARCDomain) async -> DMARCRecordLookup {
        if let known = cache[domain] { return known }
        queries += 1
        let result: DMARCRecordLookup
        do {
            switch try await dns.txt("_dmarc." + domain.name) {
            case .nxDomain, .noData: result = .none
            case .found(let texts):
                let parsed = texts.map { DMARCRecord.parse($0, limits: limits) }.filter { $0 != .notDMARC }
                if parsed.count != 1 {
                    result = .none
                } else if case .record(let record) = parsed[0] {
                    result = .record(record)
                } else if case .unusable(let why) = parsed[0] {
                    result = .unusable(why)
                } else {
                    result = .none
                }
            }
        } catch {
            result = .failed("DNS lookup of _dmarc.\(domain.name) failed: \(error)")
        }
        cache[domain] = result
        return result
    }

    /// The names a DNS Tree Walk from `start` queries, in order (§4.10 steps 1, 3–7): `start`, then
    /// — after shortening a name of eight or more labels to seven — each parent down to one label.
    static func walkTargets(from start: DMARCDomain, queries: Int = 8) -> [DMARCDomain] {
        var targets = [start]
        let count = start.labelCount
        guard count > 1 else { return targets }
        var next: DMARCDomain? = count < queries ? start.parent : start.lastLabels(queries - 1)
        while let target = next, targets.count < queries {
            targets.append(target)
            next = target.parent
        }
        return targets
    }

    /// One walk from `start`, stopping after a record with `psd=y` or `psd=n` (steps 2, 6). Returns
    /// the names queried with what they hold; a failed lookup ends the walk there.
    mutating func walk(from start: DMARCDomain) async -> [(DMARCDomain, DMARCRecordLookup)] {
        var visited: [(DMARCDomain, DMARCRecordLookup)] = []
        for target in Self.walkTargets(from: start, queries: limits.treeWalkQueries) {
            let found = await lookup(target)
            visited.append((target, found))
            if case .failed = found { break }
            if found.psd != .unknown { break }
        }
        return visited
    }

    /// The Organizational Domain of `domain` (§4.10.2), or why it cannot be known now.
    mutating func organizationalDomain(of domain: DMARCDomain) async -> Result<DMARCDomain, DMARCTemporaryFailure> {
        if let known = organizational[domain] { return known }
        let visited = await walk(from: domain)
        let result: Result<DMARCDomain, DMARCTemporaryFailure>
        if case .failed(let why) = visited.last?.1 {
            result = .failure(DMARCTemporaryFailure(reason: why))
        } else {
            result = .success(Self.organizationalDomain(start: domain, visited: visited))
        }
        organizational[domain] = result
        return result
    }

    /// The Organizational Domain of `domain` if a walk already determined it.
    func knownOrganizationalDomain(of domain: DMARCDomain) -> DMARCDomain? {
        if case .success(let found) = organizational[domain] { found } else { nil }
    }

    /// Whether `domain` exists (RFC 9989 Appendix A.4: any record, i.e. not NXDOMAIN, RFC 8020),
    /// asked with a TXT query; for `np`.
    mutating func exists(_ domain: DMARCDomain) async -> Result<Bool, DMARCTemporaryFailure> {
        queries += 1
        do {
            if case .nxDomain = try await dns.txt(domain.name) { return .success(false) }
            return .success(true)
        } catch {
            return .failure(DMARCTemporaryFailure(reason: "DNS lookup of \(domain.name) failed: \(error)"))
        }
    }

    /// §4.10.2's selection over the names of one walk that hold a record, longest first: `psd=n`
    /// is the Organizational Domain; `psd=y` (not at the start) makes it the name one label
    /// below; otherwise the name with the fewest labels; with no record at all, `start` itself.
    static func organizationalDomain(start: DMARCDomain, visited: [(DMARCDomain, DMARCRecordLookup)]) -> DMARCDomain {
        let withRecords = visited.filter { $0.1.hasRecord }
        for (name, found) in withRecords {
            if found.psd == .no { return name }
            if found.psd == .yes && name != start { return start.lastLabels(name.labelCount + 1) }
        }
        return withRecords.min { $0.0.labelCount < $1.0.labelCount }?.0 ?? start
    }
}

/// A DNS failure that leaves a DMARC question open (RFC 9989 §5.3.6: neither pass nor fail).
public struct DMARCTemporaryFailure: Error, Sendable, Hashable {
    public var reason: String
}
