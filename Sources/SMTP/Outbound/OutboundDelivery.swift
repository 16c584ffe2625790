import DNS
import Logging
import NIOSSL
import Queue

/// Delivery to other domains (RFC 5321 §5): MX lookup (preference order, equal preferences
/// shuffled; implicit MX when there is none; RFC 7505 null MX refused), then one SMTP
/// transaction per message and domain, trying MX hosts and their addresses in order until one
/// answers. Opportunistic STARTTLS without certificate checks, as MTAs do by default.
public struct OutboundDelivery: RemoteTransport {
    public let resolver: DNSResolver
    public let heloName: String
    public let port: Int
    public let timeouts: SMTPClientTimeouts
    let tls: NIOSSLContext?
    let logger: Logger

    public init(resolver: DNSResolver, heloName: String, port: Int = 25, timeouts: SMTPClientTimeouts = .rfc5321(), logger: Logger) {
        self.resolver = resolver
        self.heloName = heloName
        self.port = port
        self.timeouts = timeouts
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none  // opportunistic TLS (RFC 3207 §4.1); DANE/MTA-STS later
        self.tls = try? NIOSSLContext(configuration: configuration)
        self.logger = logger
    }

    public func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        func all(_ outcome: DeliveryOutcome) -> [Int64: DeliveryOutcome] {
            Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, outcome) })
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
        var lastProblem = "no MX host of \(domain) could be reached"
        for host in hosts {
            let addresses: [IPAddress]
            do {
                addresses = try await resolver.addresses(host).value ?? []
            } catch {
                lastProblem = "address lookup for \(host) failed: \(error)"
                continue
            }
            for address in addresses {
                if let outcomes = await attempt(message, targets: targets, host: host, address: address.description) {
                    return outcomes
                }
                lastProblem = "\(host) [\(address)] did not take the message"
            }
        }
        return all(.deferred(reason: "451 4.4.1 \(lastProblem)"))
    }

    /// One SMTP transaction; nil when the server never answered for any recipient (try the next host).
    private func attempt(_ message: OutboundMessage, targets: [OutboundTarget], host: String, address: String) async
        -> [Int64: DeliveryOutcome]?
    {
        let envelope = OutboundEnvelope(
            reversePath: message.reversePath,
            recipients: targets.map { OutboundRecipient(address: $0.address, notify: $0.notify, orcpt: $0.orcpt) },
            size: message.size, body8bit: message.body != "7BIT", smtpUTF8: message.smtpUTF8, dsnRet: message.dsnRet,
            dsnEnvID: message.dsnEnvID)
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: heloName, tlsPolicy: .opportunistic), envelope: envelope)
        let result: SMTPDeliveryResult
        do {
            result = try await SMTPClientConnection.deliver(
                host: address, port: port, tls: tls, serverName: host, session: session, body: .file(path: message.spoolPath),
                timeouts: timeouts)
        } catch {
            logger.notice("outbound connection failed", metadata: ["host": "\(host)", "address": "\(address)", "error": "\(error)"])
            return nil
        }
        guard result.recipients.contains(where: \.fromServer) else { return nil }
        var outcomes: [Int64: DeliveryOutcome] = [:]
        for (target, recipient) in zip(targets, result.recipients) {
            let reply = recipient.outcome.reply
            let text = "\(reply.code) \(reply.enhancedStatus.map { "\($0) " } ?? "")\(host): \(reply.lines.joined(separator: " "))"
            switch recipient.outcome {
            case .accepted: outcomes[target.rowID] = .delivered
            case .temporaryFailure: outcomes[target.rowID] = .deferred(reason: text)
            case .permanentFailure: outcomes[target.rowID] = .failed(reason: text)
            }
        }
        logger.info(
            "outbound", metadata: ["id": "\(message.id)", "host": "\(host)", "tls": "\(result.usedTLS)", "rcpts": "\(targets.count)"])
        return outcomes
    }
}
