import Core
import DNS
import Logging
import NIOSSL
import Queue

/// Delivery to other domains (RFC 5321 §5): MX lookup (preference order, equal preferences
/// shuffled; implicit MX when there is none; RFC 7505 null MX refused), then one SMTP
/// transaction per message and domain, trying MX hosts and their addresses in order until one
/// answers. Connections stay open a few seconds after a transaction and carry the next message
/// for the same host (RSET between transactions). With a `relay`, every message goes to that
/// host instead of MX hosts.
///
/// TLS modes (RFC 3207; `docs/delivery.md`), by destination:
/// - MX hosts of other domains: opportunistic STARTTLS without certificate checks, as MTAs do by
///   default (RFC 7435; Postfix `may`): an unverified channel still beats cleartext.
/// - `requireTLS` domains: STARTTLS must succeed, certificate unchecked (Postfix `encrypt`).
/// - `verifyTLS` domains: STARTTLS must succeed and the certificate must chain to a trust anchor
///   and name the MX host (Postfix `verify`; the MX name itself comes from unsigned DNS).
/// - The relay (smarthost): its certificate and name are always verified when TLS is used, and
///   TLS is required when credentials are set — they are only ever sent to the verified host.
/// - MX hosts with usable TLSA records in a signed zone (DANE, RFC 7672; with a validating
///   resolver): STARTTLS and a certificate matching the records, else 4.7.5
///   (`OutboundDelivery+DANE.swift`, docs/dane.md).
/// - Otherwise, domains with an MTA-STS policy (`tlsPolicies`, RFC 8461): `enforce` allows only the
///   listed MX hosts, with STARTTLS and a verified certificate, else 4.7.5; `testing` checks and
///   reports, then delivers as above (`OutboundTLSPolicy.swift`, docs/mta-sts.md).
/// - REQUIRETLS messages (RFC 8689) only go to hosts authenticated by DANE or MTA-STS `enforce`,
///   and `TLS-Required: No` ignores the recipient's policies (`OutboundDelivery+RequireTLS.swift`).
/// Any of these failing defers the delivery (4.7.4/4.4.1); nothing is sent in cleartext instead.
public struct OutboundDelivery: RemoteTransport {
    public let resolver: DNSResolver
    public let heloName: String
    public let port: Int
    public let timeouts: SMTPClientTimeouts
    /// Domains (lower-case) whose mail never goes out in cleartext: without STARTTLS, or when
    /// the handshake fails, delivery is deferred (4.7.4).
    public let requireTLS: Set<String>
    /// Domains (lower-case) whose MX hosts must present a verified certificate for their name.
    public let verifyTLS: Set<String>
    public let relay: SMTPRelay?
    /// Recipient domains' published TLS policies (MTA-STS) and the TLS-RPT record of outcomes;
    /// nil: opportunistic TLS as configured, nothing recorded. Not used with a relay.
    public let tlsPolicies: (any OutboundTLSPolicySource)?
    /// Opportunistic and required-only TLS: no certificate checks.
    let tls: NIOSSLContext?
    /// Verified TLS: chain to `caFile`'s anchors (or the system's) and the server's name.
    let verifiedTLS: NIOSSLContext
    /// DANE (RFC 7672): when the resolver validates (`DNSResolverConfiguration.dnssecValidating`).
    let dane: DANEPolicyLookup?
    /// DANE-authenticated TLS: the chain is checked by a `DANEVerifier` instead of NIOSSL.
    let daneTLS: NIOSSLContext?
    let cache: SMTPConnectionCache
    let logger: Logger

    /// Throws when `caFile` cannot be loaded.
    public init(
        resolver: DNSResolver, heloName: String, port: Int = 25, timeouts: SMTPClientTimeouts = .rfc5321(),
        requireTLS: Set<String> = [], verifyTLS: Set<String> = [], caFile: String? = nil, relay: SMTPRelay? = nil,
        maxConnectionsPerDestination: Int = 10, idleTime: Duration = .seconds(5),
        tlsPolicies: (any OutboundTLSPolicySource)? = nil, logger: Logger
    ) throws {
        self.relay = relay
        self.tlsPolicies = tlsPolicies
        self.resolver = resolver
        self.heloName = heloName
        self.port = port
        self.timeouts = timeouts
        self.requireTLS = Set(requireTLS.map { $0.lowercased() })
        self.verifyTLS = Set(verifyTLS.map { $0.lowercased() })
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none  // opportunistic TLS (RFC 3207 §4.1); MTA-STS: attempt(…policy:)
        self.tls = try? NIOSSLContext(configuration: configuration)
        self.verifiedTLS = try NIOSSLContext(configuration: .verifiedClient(caFile: caFile))
        self.dane = resolver.configuration.dnssecValidating ? DANEPolicyLookup(dns: resolver, port: port) : nil
        self.daneTLS = try? NIOSSLContext(configuration: .daneClient())
        self.cache = SMTPConnectionCache(idleTime: idleTime, maxPerKey: maxConnectionsPerDestination)
        self.logger = logger
    }

    /// With a relay every domain shares one destination, so the per-destination limit applies to it.
    public func destination(for domain: String) -> String {
        relay.map { "relay \($0.host):\($0.port)" } ?? domain
    }

    public func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        func all(_ outcome: DeliveryOutcome) -> [Int64: DeliveryOutcome] {
            Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, outcome) })
        }
        let domain = domain.lowercased()
        let verify = relay != nil || verifyTLS.contains(domain)
        let required = requireTLS.contains(domain) || verifyTLS.contains(domain) || relay?.credentials != nil
        let policy: SMTPClientTLSPolicy = required ? .required : .opportunistic
        let request = await tlsRequest(of: message)  // RFC 8689 (OutboundDelivery+RequireTLS.swift)
        let tls = request.adjust(TLSChoice(policy: policy, verified: verify), relay: relay != nil)
        if let relay {
            var addresses = IPAddress(relay.host).map { [$0] } ?? []
            if addresses.isEmpty { addresses = (try? await resolver.addresses(relay.host).value) ?? [] }
            var problem = "relay host \(relay.host) has no address"
            for address in addresses where !Task.isCancelled {
                switch await attempt(
                    message, targets: targets, host: relay.host, address: address.description, port: relay.port, tls: tls)
                {
                case .done(let outcomes, _): return outcomes
                case .notTaken(let reason, _): problem = "relay \(relay.host) [\(address)]: \(reason)"
                }
            }
            return all(.deferred(DeliveryReply(451, .init(4, 4, 1), problem)))
        }
        let hosts: [String]
        do {
            switch try await resolver.mx(domain) {
            case .found(let records) where records.isNullMX:
                return all(.failed(DeliveryReply(556, .init(5, 1, 10), "\(domain) accepts no mail (null MX, RFC 7505)")))
            case .found(let records):
                hosts = records.map { $0.exchange.description }
            case .noData:
                hosts = [domain]  // implicit MX (RFC 5321 §5.1)
            case .nxDomain:
                return all(.failed(DeliveryReply(550, .init(5, 1, 2), "\(domain): no such domain")))
            }
        } catch {
            return all(.deferred(DeliveryReply(451, .init(4, 4, 3), "MX lookup for \(domain) failed: \(error)")))
        }
        var lastProblem = "no MX host of \(domain) could be reached"
        let mxSecure = await dane?.mxIsSecure(domain) ?? false
        var lastKind = ProblemKind.connection  // DANE: 4.7.5 (RFC 7672 §2.2); REQUIRETLS: 5.7.10
        // The domain's MTA-STS policy (RFC 8461 §5), applied per MX host when DANE does not apply.
        let domainPolicy = request == .optional ? nil : await tlsPolicies?.policy(for: domain)
        // A cancelled task (the runner shutting down) tries no further host.
        for host in hosts where !Task.isCancelled {
            let addresses: [IPAddress]
            do {
                addresses = try await resolver.addresses(host).value ?? []
            } catch {
                lastProblem = "address lookup for \(host) failed: \(error)"
                continue
            }
            // The host's TLS policy: DANE > MTA-STS > opportunistic (OutboundDelivery+DANE.swift).
            let hostTLS: TLSChoice
            switch await tlsChoice(
                host: host, domain: domain, mxSecure: mxSecure, fallback: tls, request: request, mtaSTS: domainPolicy)
            {
            case .use(let choice): hostTLS = choice
            case .skip(let problem, let kind):
                (lastProblem, lastKind) = (problem, kind)
                continue
            }
            for address in addresses where !Task.isCancelled {
                switch await attempt(
                    message, targets: targets, host: host, address: address.description, hostTLS: hostTLS, domain: domain,
                    policy: domainPolicy)
                {
                case .done(let outcomes, _): return outcomes
                case .notTaken(let problem, _):
                    (lastProblem, lastKind) = ("\(host) [\(address)]: \(problem)", hostTLS.dane != nil ? .dane : .connection)
                }
            }
        }
        if lastKind == .connection, let domainPolicy, domainPolicy.mode == .enforce {
            // RFC 8461 §5: no cleartext or unverified fallback; 4.7.5 as for a certificate that failed.
            return all(.deferred(DeliveryReply(451, .init(4, 7, 5), "\(domainPolicy.name) policy of \(domain): \(lastProblem)")))
        }
        return all(lastKind.outcome(lastProblem))
    }

    /// How one delivery uses TLS: when (`policy`) and whether the certificate is verified.
    struct TLSChoice: Hashable, Sendable {
        var policy: SMTPClientTLSPolicy
        var verified: Bool
        /// DANE authentication of the chain (RFC 7672 §3); replaces `verified`'s PKIX checks.
        var dane: DANEVerifier? = nil
    }

    enum Attempt {
        /// With whether the transaction ran over TLS.
        case done([Int64: DeliveryOutcome], usedTLS: Bool)
        /// The server never answered for any recipient: try the next host. With the session's
        /// result when one was made (the TLS outcome is read from it).
        case notTaken(String, result: SMTPDeliveryResult?)
    }

    /// One SMTP transaction, over a cached idle connection to the host when there is one.
    func attempt(
        _ message: OutboundMessage, targets: [OutboundTarget], host: String, address: String, port: Int, tls choice: TLSChoice
    ) async -> Attempt {
        let envelope = OutboundEnvelope(
            reversePath: message.reversePath,
            recipients: targets.map { OutboundRecipient(address: $0.address, notify: $0.notify, orcpt: $0.orcpt) },
            size: message.size + Int64(message.headers.utf8.count), body8bit: message.body.isEightBit, smtpUTF8: message.smtpUTF8,
            dsnRet: message.dsnRet,
            dsnEnvID: message.dsnEnvID, requireTLS: message.requireTLS)
        let key = SMTPConnectionCache.Key(address: address, port: port, tls: choice, serverName: host)
        let body = SMTPMessageSource.file(path: message.spoolPath, prefix: Array(message.headers.utf8))
        if let cached = await cache.take(key) {
            if let result = try? await cached.send(envelope, body: body), result.recipients.contains(where: \.fromServer) {
                return .done(
                    await finish(message, targets, result, connection: cached, key: key, reused: true), usedTLS: result.usedTLS)
            }
            await cached.close()  // closed by the server while idle: open a new one
        }
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(
                heloName: heloName, tlsPolicy: choice.policy, keepsConnection: true, credentials: relay?.credentials),
            envelope: envelope)
        let connection: SMTPClientConnection
        let result: SMTPDeliveryResult
        do {
            (connection, result) = try await SMTPClientConnection.open(
                // No SNI for IPs (RFC 6066 §3); a verified IP is checked against the certificate's IP names.
                host: address, port: port, tls: choice.dane != nil ? daneTLS : choice.verified ? verifiedTLS : tls,
                serverName: IPAddress(host) == nil ? host : nil,
                session: session, body: body, timeouts: timeouts, verifyCertificates: choice.dane.map { $0.accepts })
        } catch {
            logger.notice(
                "outbound connection failed", metadata: ["host": "\(host)", "address": "\(address)", "error": "\(error)"])
            return .notTaken("\(error)", result: nil)
        }
        guard result.recipients.contains(where: \.fromServer) || result.refusedForRequireTLS else {
            await connection.close()
            let reply = result.recipients.first?.outcome.reply
            return .notTaken(reply.map { "\($0.code) \($0.lines.joined(separator: " "))" } ?? "no reply", result: result)
        }
        return .done(
            await finish(message, targets, result, connection: connection, key: key, reused: false), usedTLS: result.usedTLS)
    }

    /// Each target's outcome; the connection goes back to the cache when it can carry another message.
    private func finish(
        _ message: OutboundMessage, _ targets: [OutboundTarget], _ result: SMTPDeliveryResult,
        connection: SMTPClientConnection, key: SMTPConnectionCache.Key, reused: Bool
    ) async -> [Int64: DeliveryOutcome] {
        if await connection.isIdle() {
            await cache.put(connection, for: key)
        } else {
            await connection.close()
        }
        var outcomes: [Int64: DeliveryOutcome] = [:]
        for (target, recipient) in zip(targets, result.recipients) {
            outcomes[target.rowID] = DeliveryOutcome(recipient.outcome, from: key.serverName)
        }
        logger.info(
            "outbound",
            metadata: [
                "id": "\(message.id)", "host": "\(key.serverName)", "tls": "\(result.usedTLS)",
                "tlsauth": "\(key.tls.authentication)", "rcpts": "\(targets.count)",
                "reused": "\(reused)",
            ])
        return outcomes
    }
}
