import DNS

extension SPFEvaluation {
    /// Whether a mechanism matches the client (RFC 7208 §5).
    func matches(_ mechanism: SPFMechanism, domain: String) async throws(SPFAbort) -> Bool {
        switch mechanism {
        case .all:
            return true  // §5.1
        case .include(let spec):
            return try await include(try await targetName(spec, domain: domain))
        case .a(let spec, let cidr):
            let name = try await targetName(spec, domain: domain)
            guard SPFDomain.isQueryable(name) else { return false }
            let answer = try await addresses(name)
            try countVoidLookup(answer)
            return isAmong(answer.value ?? [], cidr)
        case .mx(let spec, let cidr):
            return try await mx(try await targetName(spec, domain: domain), cidr)
        case .ptr(let spec):
            return try await ptr(try await targetName(spec, domain: domain))
        case .ip4(let network, let length), .ip6(let network, let length):
            return ip.isIn(network, prefixLength: length)  // §5.6
        case .exists(let spec):
            // §5.7: an A lookup, "even when the connection type is IPv6".
            let name = try await targetName(spec, domain: domain)
            guard SPFDomain.isQueryable(name) else { return false }
            let answer = try await lookup("A", name) { try await dns.a(name) }
            try countVoidLookup(answer)
            return !(answer.value ?? []).isEmpty
        }
    }

    /// <target-name>: the expanded domain-spec, or the current <domain> when there is none (§4.8).
    private func targetName(_ spec: SPFMacroString?, domain: String) async throws(SPFAbort) -> String {
        guard let spec else { return domain }
        return SPFDomain.queryName(try await expand(spec, domain: domain))
    }

    /// §5.2: a recursive check_host(); pass matches, fail/softfail/neutral do not, errors
    /// propagate and "none" is a permerror.
    private func include(_ target: String) async throws(SPFAbort) -> Bool {
        let evaluated = try await checkHost(target, explaining: false)
        switch evaluated.result {
        case .pass: return true
        case .fail, .softfail, .neutral: return false
        case .none: throw .permerror("include of \(target), which has no SPF record")
        case .temperror: throw .temperror(evaluated.problem ?? "include of \(target)")
        case .permerror: throw .permerror(evaluated.problem ?? "include of \(target)")
        }
    }

    /// §5.4: the addresses of the MX hosts, at most `mxNames` of them (else permerror).
    private func mx(_ name: String, _ cidr: SPFMechanism.DualCIDR) async throws(SPFAbort) -> Bool {
        guard SPFDomain.isQueryable(name) else { return false }
        let answer = try await lookup("MX", name) { try await dns.mx(name) }
        try countVoidLookup(answer)
        let exchanges = answer.value ?? []
        guard exchanges.count <= configuration.limits.mxNames else {
            throw .permerror("\(name) has more than \(configuration.limits.mxNames) MX records")
        }
        for exchange in exchanges.map(SPFDomain.queryName) where SPFDomain.isQueryable(exchange) {
            if isAmong(try await addresses(exchange).value ?? [], cidr) { return true }
        }
        return false
    }

    /// §5.5: matches when a validated name of the client is the target or below it.
    private func ptr(_ target: String) async throws(SPFAbort) -> Bool {
        guard let names = try await validatedNames(countingVoid: true) else { return false }
        let target = target.lowercased()
        return names.contains { $0 == target || $0.hasSuffix("." + target) }
    }

    /// §5.5: the first `ptrNames` PTR names of the client whose addresses include it, lower
    /// case; nil when the PTR lookup failed (the mechanism then does not match). Names whose
    /// address lookup fails are skipped.
    func validatedNames(countingVoid: Bool) async throws(SPFAbort) -> [String]? {
        if let validatedNamesCache { return validatedNamesCache }
        let answer: DNSResult<[String]>
        do {
            answer = try await dns.ptr(ip)
        } catch {
            return nil
        }
        if countingVoid { try countVoidLookup(answer) }
        var validated: [String] = []
        let candidates = (answer.value ?? []).prefix(configuration.limits.ptrNames).map(SPFDomain.queryName)
        for name in candidates where SPFDomain.isQueryable(name) {
            if let found = try? await addresses(name).value, found.contains(ip) { validated.append(name.lowercased()) }
        }
        validatedNamesCache = validated
        return validated
    }

    /// The A or AAAA records of `name`, by the client's family (§5.3).
    private func addresses(_ name: String) async throws(SPFAbort) -> DNSResult<[IPAddress]> {
        if ip.isIPv4 {
            return try await lookup("A", name) { try await dns.a(name) }
        }
        return try await lookup("AAAA", name) { try await dns.aaaa(name) }
    }

    private func isAmong(_ addresses: [IPAddress], _ cidr: SPFMechanism.DualCIDR) -> Bool {
        addresses.contains { ip.isIn($0, prefixLength: ip.isIPv4 ? cidr.ip4 : cidr.ip6) }
    }

    /// Runs one lookup; a DNS failure ends the check (§5: on an error other than NXDOMAIN or a
    /// timeout, "the mechanism stops and the topmost check_host() returns "temperror"").
    private func lookup<Value>(
        _ type: String, _ name: String, _ body: () async throws -> DNSResult<Value>
    ) async throws(SPFAbort) -> DNSResult<Value> {
        do {
            return try await body()
        } catch {
            throw .temperror("\(type) lookup of \(name): \(error)")
        }
    }
}
