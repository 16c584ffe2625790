import Core
import Directory

/// What client autoconfiguration announces: the site's public host name and the listeners a
/// mail client should use. Built by Server from the configuration (`init(config:directory:)`).
public struct AutoconfigSite: Sendable {
    public var hostname: String
    /// (protocol, port, tls: "implicit" | "starttls") of each client-facing listener; protocols are
    /// `ListenerProtocol` names (`imaps`, `submission`, …). Others (and `tls` "none") are not announced.
    public var endpoints: [(protocolName: String, port: Int, tls: String)]
    /// The provider's name clients show (Thunderbird's `displayName`); the host name by default.
    public var displayName: String
    /// Whether the site receives mail for a domain: only those are configured, others get 404.
    /// The default answers no for every domain.
    public var isLocalDomain: @Sendable (String) async throws -> Bool
    /// Signs the configuration profiles the console serves; nil serves them unsigned.
    public var profileSigner: MobileConfigSigner?
    /// The port clients reach the site's HTTPS on (the Autodiscover v2 answer's URL, `AutodiscoverJSON`).
    public var httpsPort: Int

    public init(
        hostname: String, endpoints: [(protocolName: String, port: Int, tls: String)], displayName: String? = nil,
        isLocalDomain: @escaping @Sendable (String) async throws -> Bool = { _ in false }, httpsPort: Int = 443
    ) {
        self.hostname = hostname
        self.endpoints = endpoints
        self.displayName = displayName ?? hostname
        self.isLocalDomain = isLocalDomain
        self.httpsPort = httpsPort
    }

    /// The site of `config`: its `hostname`, every client-facing listener that uses TLS (a
    /// plain-text listener is never announced), the domains of `directory`; HTTPS on the
    /// implicit-TLS HTTP listener's port, else 443 (a proxy in front), as `posta dns records`
    /// announces it in `_autodiscover._tcp`.
    public init(config: PostaConfig, directory: Directory) {
        let endpoints = config.listeners.compactMap { listener -> (protocolName: String, port: Int, tls: String)? in
            guard
                MailServerSetting(
                    protocolName: listener.protocol.rawValue, port: listener.port, tls: listener.tls.rawValue, hostname: "")
                    != nil
            else { return nil }
            return (listener.protocol.rawValue, listener.port, listener.tls.rawValue)
        }
        let httpsPort = config.listeners.first { $0.protocol == .http && $0.tls == .implicit }?.port ?? 443
        self.init(
            hostname: config.hostname, endpoints: endpoints, isLocalDomain: { try await directory.isLocalDomain($0) },
            httpsPort: httpsPort)
        profileSigner = MobileConfigSigner(config.tls)
    }
}

extension AutoconfigSite {
    /// The IMAP and POP3 servers to offer, best first: IMAP before POP3 (folders and flags stay on
    /// the server), implicit TLS before STARTTLS (RFC 8314 §3.3, §4.1); one entry per port.
    public var incomingServers: [MailServerSetting] { settings(of: [.imap, .pop3]) }

    /// The submission servers to offer (RFC 6409, RFC 8314 §3.3), implicit TLS first.
    public var outgoingServers: [MailServerSetting] { settings(of: [.smtp]) }

    private func settings(of kinds: [MailServerSetting.Kind]) -> [MailServerSetting] {
        var seen = Set<MailServerSetting>()
        let all = endpoints.compactMap {
            MailServerSetting(protocolName: $0.protocolName, port: $0.port, tls: $0.tls, hostname: hostname)
        }
        .filter { kinds.contains($0.kind) && seen.insert($0).inserted }
        return all.enumerated().sorted { a, b in
            let ka = (kinds.firstIndex(of: a.element.kind)!, a.element.security == .implicitTLS ? 0 : 1, a.offset)
            let kb = (kinds.firstIndex(of: b.element.kind)!, b.element.security == .implicitTLS ? 0 : 1, b.offset)
            return ka < kb
        }.map(\.element)
    }
}
