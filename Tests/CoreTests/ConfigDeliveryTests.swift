import Core
import Testing

@Suite("Config: [delivery]")
struct ConfigDeliveryTests {
    static let base = "hostname = \"mx.example.org\"\ndata_dir = \"/var/lib/posta\"\n"

    @Test func defaultsAndValues() throws {
        let defaults = try #require(parsedConfig(Self.base))
        #expect(defaults.delivery == DeliverySettings(nameservers: [], smtpPort: 25))
        let set = try #require(
            parsedConfig(Self.base + "[delivery]\nnameservers = [\"127.0.0.1:5353\", \"[::1]:53\"]\nsmtp_port = 2526\n"))
        #expect(set.delivery.nameservers == [.init(host: "127.0.0.1", port: 5353), .init(host: "::1", port: 53)])
        #expect(set.delivery.smtpPort == 2526)
    }

    @Test func outboundKeys() throws {
        let set = try #require(
            parsedConfig(
                Self.base
                    + "[delivery]\nmax_connections = 20\nmax_connections_per_domain = 2\nrequire_tls = [\"Example.COM\"]\ndelay_warning = \"4h\"\n"
            ))
        #expect(set.delivery.maxConnections == 20)
        #expect(set.delivery.maxConnectionsPerDomain == 2)
        #expect(set.delivery.requireTLS == ["example.com"])
        #expect(set.delivery.delayWarning == .hours(4))
        let errors = configErrors(
            Self.base
                + "[delivery]\nmax_connections = 0\nmax_connections_per_domain = \"x\"\nrequire_tls = [\"no way\"]\ndelay_warning = -1\n")
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.max_connections", "5 delivery.max_connections_per_domain", "6 delivery.require_tls",
                "7 delivery.delay_warning",
            ])
    }

    @Test func errorsNameKeyAndLine() {
        let errors = configErrors(Self.base + "[delivery]\nnameserver = []\nsmtp_port = 0\nnameservers = [\"nope\"]\n")
        #expect(errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == ["4 delivery.nameserver", "5 delivery.smtp_port", "6 delivery.nameservers"])
    }
}
