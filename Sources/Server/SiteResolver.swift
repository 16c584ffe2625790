import Core
import DNS

extension PostaConfig {
    /// The site's one DNS resolver (SPF, DKIM keys, DMARC, MX lookups): `[delivery] nameservers`,
    /// or the system's (`/etc/resolv.conf`) when none are configured.
    /// With `[delivery] dnssec` the servers are trusted to validate: their AD bit is believed
    /// (RFC 7672 §2.1.1) and DANE applies to outbound mail.
    public func resolverConfiguration() throws -> DNSResolverConfiguration {
        let servers = delivery.nameservers
        var configuration =
            servers.isEmpty
            ? try DNSResolverConfiguration.system()
            : try DNSResolverConfiguration(nameservers: servers.map { (host: $0.host, port: $0.port) })
        configuration.dnssecValidating = delivery.dnssec && !servers.isEmpty
        return configuration
    }
}
