import DNS
import Logging
import NIOSSL
import Queue

/// Delivery to other domains (RFC 5321 §5): MX lookup (preference order, equal preferences
/// shuffled; implicit MX when there is none; RFC 7505 null MX refused), then one SMTP
/// transaction per message and domain, trying MX hosts and their addresses in order until one
/// answers. Opportunistic STARTTLS without certificate checks, as MTAs do by default; required
/// STARTTLS for the domains in `requireTLS`. Connections stay open a few seconds after a
/// transaction and carry the next message for the same host (RSET between transactions).
/// With a `relay`, every message goes to that host instead of MX hosts.
public struct OutboundDelivery: RemoteTransport {
    public let resolver: DNSResolver
    public let heloName: String
    public let port: Int
    public let timeouts: SMTPClientTimeouts
    /// Domains (lower-case) whose mail never goes out in cleartext: without STARTTLS, or when
    /// the handshake fails, delivery is deferred (4.7.4).
    public let requireTLS: Set<String>
    public let relay: SMTPRelay?
    let tls: NIOSSLContext?
    let cache: SMTPConnectionCache
    let logger: Logger

    public init(
        resolver: DNSResolver, heloName: String, port: Int = 25, timeouts: SMTPClientTimeouts = .rfc5321(),
        requireTLS: Set<String> = [], relay: SMTPRelay? = nil, maxConnectionsPerDestination: Int = 10,
        idleTime: Duration = .seconds(5), logger: Logger
    ) {
        self.relay = relay
        self.resolver = resolver
        self.heloName = heloName
        self.port = port
        self.timeouts = timeouts
        self.requireTLS = Set(requireTLS.map { $0.lowercased() })
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none  // opportunistic TLS (RFC 3207 §4.1); DANE/MTA-STS later
        self.tls = try? NIOSSLContext(configuration: configuration)
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
        let required = requireTLS.contains(domain.lowercased()) || relay?.credentials != nil
        let policy: SMTPClientTLSPolicy = required ? .required : .opportunistic
        if let relay {
            var addresses = IPAddress(relay.host).map { [$0] } ?? []
            if addresses.isEmpty { addresses = (try? await resolver.addresses(relay.host).value) ?? [] }
            var problem = "4.4.1 relay host \(relay.host) has no address"
            for address in addresses {
                switch await attempt(message, targets: targets, host: relay.host, address: address.description, port: relay.port, policy: policy) {
                case .done(let outcomes): return outcomes
                case .notTaken(let reason): problem = "4.4.1 relay \(relay.host) [\(address)]: \(reason)"
                }
            }
            return all(.deferred(reason: "451 \(problem)"))
        }
        let hosts: [String]
        do {
            switch try await resolver.mx(domain) {
            case .found(let records) where records.isNullMX:
                return all(.failed(reason: "556 5.1.10 \(domain) accepts no mail (null MX, RFC 7505)"))
            case .found(let records):
                hosts = records.map { $0.exchange.description }
            case .noData:
                hosts = [domain]  // implicit MX (RFC 5321 §5.1)
            case .nxDomain:
                return all(.failed(reason: "550 5.1.2 \(domain): no such domain"))
            }
        } catch {
            return all(.deferred(reason: "451 4.4.3 MX lookup for \(domain) failed: \(error)"))
        }
        var lastProblem = "4.4.1 no MX host of \(domain) could be reached"
        for host in hosts {
            let addresses: [IPAddress]
            do {
                addresses = try await resolver.addresses(host).value ?? []
            } catch {
                lastProblem = "4.4.1 address lookup for \(host) failed: \(error)"
                continue
            }
            for address in addresses {
                switch await attempt(message, targets: targets, host: host, address: address.description, port: port, policy: policy) {
                case .done(let outcomes): return outcomes
                case .notTaken(let problem): lastProblem = "4.4.1 \(host) [\(address)]: \(problem)"
                }
            }
        }
        return all(.deferred(reason: "451 \(lastProblem)"))
    }

    private enum Attempt {
        case done([Int64: DeliveryOutcome])
        /// The server never answered for any recipient: try the next host.
        case notTaken(String)
    }

    /// One SMTP transaction, over a cached idle connection to the host when there is one.
    private func attempt(
        _ message: OutboundMessage, targets: [OutboundTarget], host: String, address: String, port: Int,
        policy: SMTPClientTLSPolicy
    ) async -> Attempt {
        let envelope = OutboundEnvelope(
            reversePath: message.reversePath,
            recipients: targets.map { OutboundRecipient(address: $0.address, notify: $0.notify, orcpt: $0.orcpt) },
            size: message.size + Int64(message.headers.utf8.count), body8bit: message.body != "7BIT", smtpUTF8: message.smtpUTF8, dsnRet: message.dsnRet,
            dsnEnvID: message.dsnEnvID)
        let key = SMTPConnectionCache.Key(address: address, port: port, tlsPolicy: policy, serverName: host)
        let body = SMTPMessageSource.file(path: message.spoolPath, prefix: Array(message.headers.utf8))
        if let cached = await cache.take(key) {
            if let result = try? await cached.send(envelope, body: body), result.recipients.contains(where: \.fromServer) {
                return .done(await finish(message, targets, result, connection: cached, key: key, reused: true))
            }
            await cached.close()  // closed by the server while idle: open a new one
        }
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(
                heloName: heloName, tlsPolicy: policy, keepsConnection: true, credentials: relay?.credentials),
            envelope: envelope)
        let connection: SMTPClientConnection
        let result: SMTPDeliveryResult
        do {
            (connection, result) = try await SMTPClientConnection.open(
                host: address, port: port, tls: tls, serverName: IPAddress(host) == nil ? host : nil,  // no SNI for IPs (RFC 6066 §3)
                session: session, body: body, timeouts: timeouts)
        } catch {
            logger.notice("outbound connection failed", metadata: ["host": "\(host)", "address": "\(address)", "error": "\(error)"])
            return .notTaken("\(error)")
        }
        guard result.recipients.contains(where: \.fromServer) else {
            await connection.close()
            let reply = result.recipients.first?.outcome.reply
            return .notTaken(reply.map { "\($0.code) \($0.lines.joined(separator: " "))" } ?? "no reply")
        }
        return .done(await finish(message, targets, result, connection: connection, key: key, reused: false))
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
            let reply = recipient.outcome.reply
            let text =
                "\(reply.code) \(reply.enhancedStatus.map { "\($0) " } ?? "")\(key.serverName): \(reply.lines.joined(separator: " "))"
            switch recipient.outcome {
            case .accepted: outcomes[target.rowID] = .delivered
            case .temporaryFailure: outcomes[target.rowID] = .deferred(reason: text)
            case .permanentFailure: outcomes[target.rowID] = .failed(reason: text)
            }
        }
        logger.info(
            "outbound",
            metadata: [
                "id": "\(message.id)", "host": "\(key.serverName)", "tls": "\(result.usedTLS)", "rcpts": "\(targets.count)",
                "reused": "\(reused)",
            ])
        return outcomes
    }
}
