import Logging

/// A stub resolver (RFC 1123 §6.1.3.1): sends recursive queries to the configured nameservers,
/// over UDP and again over TCP when the answer was truncated, retries on timeouts and server
/// failures, follows CNAME chains and caches answers. Safe to share between tasks.
public final class DNSResolver: Sendable {
    public let configuration: DNSResolverConfiguration
    public let cache: DNSCache
    private let transport: any DNSTransport
    private let logger: Logger

    public init(
        configuration: DNSResolverConfiguration, transport: any DNSTransport = NIODNSTransport(),
        clock: any DNSClock = SystemDNSClock(), logger: Logger = Logger(label: "posta.dns")
    ) {
        self.configuration = configuration
        self.transport = transport
        self.cache = DNSCache(configuration: configuration.cache, clock: clock)
        self.logger = logger
    }

    /// A resolver for the nameservers of /etc/resolv.conf (or `path`).
    public static func system(
        path: String = ResolvConf.defaultPath, logger: Logger = Logger(label: "posta.dns")
    ) throws -> DNSResolver {
        DNSResolver(configuration: try .system(path: path), logger: logger)
    }

    /// Looks up records of `type` for `name` (ASCII, with or without the trailing dot).
    /// NXDOMAIN and "no data" come back as answers; timeouts, SERVFAIL, REFUSED and broken
    /// packets are thrown as `DNSError`.
    public func query(_ name: String, _ type: DNSRecordType) async throws -> DNSAnswer {
        try await query(DNSName(name), type)
    }

    public func query(_ name: DNSName, _ type: DNSRecordType) async throws -> DNSAnswer {
        if let cached = cache.lookup(name, type) {
            logger.trace("DNS cache hit", metadata: ["name": "\(name)", "type": "\(type)"])
            return cached
        }
        let answer = try await resolve(name, type)
        cache.insert(answer)
        return answer
    }

    /// Queries until the records of `type` are found or the CNAME chain ends, querying a
    /// CNAME target again only when the server left the chain unfinished.
    private func resolve(_ name: DNSName, _ type: DNSRecordType) async throws -> DNSAnswer {
        let question = DNSQuestion(name: name, type: type)
        var aliases: [DNSResourceRecord] = []
        var seen: Set<DNSName> = [name]
        var current = name
        // RFC 4035 §3.2.3: the answer is only authenticated when every response that made it was.
        var authenticated = configuration.dnssecValidating
        while true {
            let response = try await exchange(DNSQuestion(name: current, type: type))
            authenticated = authenticated && response.header.authenticData
            let (canonical, records) = try follow(response, from: current, type: type, aliases: &aliases, seen: &seen)
            let soa =
                response.authorities.first { $0.type == .soa && canonical.isSubdomain(of: $0.name) }
                ?? response.authorities.first { $0.type == .soa }
            func answer(_ kind: DNSAnswer.Kind) -> DNSAnswer {
                DNSAnswer(
                    question: question, kind: kind, rcode: response.rcode, aliases: aliases,
                    soa: records.isEmpty ? soa : nil, authenticData: authenticated)
            }
            if !records.isEmpty { return answer(.records(records)) }
            if response.rcode == .nxDomain { return answer(.nxDomain) }
            // The chain moved on but the server neither gave the target's records nor said
            // (with an SOA) that it has none: ask for the target ourselves.
            if canonical != current && soa == nil {
                current = canonical
                continue
            }
            return answer(.noData)
        }
    }

    /// Follows CNAME records within one response from `name` (RFC 1034 §3.6.2, §5.3.3) and
    /// returns the last name reached and its records of `type`.
    private func follow(
        _ response: DNSMessage, from name: DNSName, type: DNSRecordType, aliases: inout [DNSResourceRecord],
        seen: inout Set<DNSName>
    ) throws -> (DNSName, [DNSResourceRecord]) {
        let answers = response.answers.filter { $0.dnsClass == DNSClass.internet }
        var current = name
        while true {
            let records = answers.filter { $0.name == current && $0.type == type }
            if !records.isEmpty || type == .cname { return (current, records) }
            guard let alias = answers.first(where: { $0.name == current && $0.type == .cname }),
                let target = alias.targetName
            else { return (current, []) }
            guard aliases.count < configuration.maxCNAMEChain else {
                let start = aliases.first?.name ?? name
                throw DNSError.cnameChain("more than \(configuration.maxCNAMEChain) CNAME records from \(start)")
            }
            guard seen.insert(target).inserted else { throw DNSError.cnameChain("\(target) loops back") }
            aliases.append(alias)
            current = target
        }
    }

    /// One question to the nameservers: `attempts` rounds over the list. A truncated UDP
    /// answer is asked again over TCP from the same server (RFC 1035 §4.2.1, RFC 7766 §5);
    /// FORMERR to a query with EDNS is asked again without it (RFC 6891 §7); SERVFAIL,
    /// REFUSED, timeouts and broken answers move on to the next server.
    private func exchange(_ question: DNSQuestion) async throws -> DNSMessage {
        guard !configuration.nameservers.isEmpty else { throw DNSError.noNameservers }
        var failure: DNSError? = nil
        for _ in 0..<configuration.attempts {
            for server in configuration.nameservers {
                try Task.checkCancellation()
                do {
                    let response = try await exchange(question, with: server)
                    switch response.rcode {
                    case .noError, .nxDomain:
                        return response
                    case .serverFailure:
                        throw DNSError.serverFailure
                    case .refused:
                        throw DNSError.refused
                    default:
                        throw DNSError.unexpectedResponseCode(response.rcode)
                    }
                } catch let error as DNSError {
                    logger.debug(
                        "DNS query failed",
                        metadata: ["question": "\(question)", "server": "\(server)", "error": "\(error)"])
                    if failure == nil || error.weight >= failure!.weight { failure = error }
                }
            }
        }
        throw failure ?? DNSError.timeout
    }

    private func exchange(_ question: DNSQuestion, with server: DNSNameserver) async throws -> DNSMessage {
        let timeout = configuration.timeout
        var edns = configuration.edns
        let ad = configuration.dnssecValidating
        var query = DNSMessage.query(question.name, question.type, edns: edns, authenticData: ad)
        var response = try await transport.exchange(query, with: server, over: .udp, timeout: timeout)
        if response.rcode == .formatError && edns != nil && response.edns == nil {
            edns = nil
            query = DNSMessage.query(question.name, question.type, edns: nil, authenticData: ad)
            response = try await transport.exchange(query, with: server, over: .udp, timeout: timeout)
        }
        if response.header.isTruncated {
            logger.debug("DNS answer truncated, retrying over TCP", metadata: ["question": "\(question)", "server": "\(server)"])
            query = DNSMessage.query(question.name, question.type, edns: edns, authenticData: ad)
            response = try await transport.exchange(query, with: server, over: .tcp, timeout: timeout)
        }
        return response
    }
}
