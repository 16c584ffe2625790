import DNS

/// One run of check_host() (RFC 7208 §4) with everything it shares across include and
/// redirect: the client, the sender, the DNS and the counters of §4.6.4. Used by one task.
final class SPFEvaluation {
    /// What one check_host() level returns before errors are turned into results.
    struct Evaluated {
        var result: SPFResult
        var mechanism: String?
        var explanation: String?
        var problem: String?
    }

    let dns: any SPFDNS
    let configuration: SPFConfiguration
    /// The client, IPv4-mapped addresses taken as IPv4.
    let ip: IPAddress
    let sender: SPFSender
    let helo: String
    private var dnsTerms = 0
    private var voidLookups = 0
    /// The client's validated names (§5.5), looked up once for all `%{p}`.
    var validatedNamesCache: [String]?

    init(dns: any SPFDNS, configuration: SPFConfiguration, ip: IPAddress, sender: SPFSender, helo: String) {
        self.dns = dns
        self.configuration = configuration
        self.ip = ip.unmapped
        self.sender = sender
        self.helo = helo
    }

    /// check_host() for `domain` (§4): record lookup and selection (§4.3–§4.5), evaluation in
    /// order (§4.6), `redirect` when nothing matched (§6.1), else neutral (§4.7). Errors come
    /// as `SPFAbort`. `explaining` is false below an include, whose explanation is never used (§6.2).
    func checkHost(_ domain: String, explaining: Bool = true) async throws(SPFAbort) -> Evaluated {
        if let problem = SPFDomain.problem(checkHostDomain: domain) {
            return Evaluated(result: .none, problem: problem)
        }
        guard let text = try await recordText(domain) else {
            return Evaluated(result: .none, problem: "no SPF record at \(domain)")
        }
        let record: SPFRecord
        do {
            record = try SPFRecord(parsing: text)
        } catch {
            throw .permerror("\(domain): \(error)")
        }
        for directive in record.directives {
            if directive.mechanism.queriesDNS { try countDNSTerm() }
            guard try await matches(directive.mechanism, domain: domain) else { continue }
            let result = directive.qualifier.result
            let explanation = result == .fail && explaining ? await explain(record, domain: domain) : nil
            return Evaluated(result: result, mechanism: directive.text, explanation: explanation)
        }
        if let redirect = record.redirect {
            try countDNSTerm()
            let target = SPFDomain.queryName(try await expand(redirect, domain: domain))
            let evaluated = try await checkHost(target, explaining: explaining)
            guard evaluated.result != .none else { throw .permerror("redirect to \(target), which has no SPF record") }
            return evaluated
        }
        return Evaluated(result: .neutral, mechanism: "default")
    }

    /// §4.4, §4.5: the TXT records of `domain` that are SPF records; nil when there is none
    /// (or the domain does not exist), permerror when there are several.
    private func recordText(_ domain: String) async throws(SPFAbort) -> String? {
        let records: [String]
        do {
            records = try await dns.txt(domain).value ?? []
        } catch {
            throw .temperror("TXT lookup of \(domain): \(error)")
        }
        let spf = records.filter(SPFRecord.isSPF)
        guard spf.count <= 1 else { throw .permerror("\(domain) has \(spf.count) SPF records") }
        return spf.first
    }

    /// §4.6.4: at most `dnsTerms` terms that query DNS in the whole evaluation.
    private func countDNSTerm() throws(SPFAbort) {
        dnsTerms += 1
        if dnsTerms > configuration.limits.dnsTerms {
            throw .permerror("more than \(configuration.limits.dnsTerms) DNS-querying terms")
        }
    }

    /// §4.6.4: at most `voidLookups` lookups that found nothing.
    func countVoidLookup<Value>(_ answer: DNSResult<Value>) throws(SPFAbort) {
        guard answer.value == nil else { return }
        voidLookups += 1
        if voidLookups > configuration.limits.voidLookups {
            throw .permerror("more than \(configuration.limits.voidLookups) void DNS lookups")
        }
    }
}
