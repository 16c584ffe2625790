import Core
import DNS

extension PostaConfig {
    /// The site's one DNS resolver (SPF, DKIM keys, DMARC, MX lookups): `[delivery] nameservers`,
    /// or the system's (`/etc/resolv.conf`) when none are configured.
    public func resolverConfiguration() throws -> DNSResolverConfiguration {
        let servers = delivery.nameservers
        return servers.isEmpty
            ? try DNSResolverConfiguration.system()
            : try DNSResolverConfiguration(nameservers: servers.map { (host: $0.host, port: $0.port) })
    }
}
