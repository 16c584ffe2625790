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

    @Test func relayKeys() throws {
        let set = try #require(
            parsedConfig(
                Self.base
                    + "[delivery]\nrelay_host = \"smtp.example.net:587\"\nrelay_user = \"u\"\nrelay_password_file = \"/etc/pw\"\n"))
        #expect(set.delivery.relayHost == .init(host: "smtp.example.net", port: 587))
        #expect(set.delivery.relayUser == "u" && set.delivery.relayPasswordFile == "/etc/pw")
        let errors = configErrors(
            Self.base + "[delivery]\nrelay_host = \"nope\"\nrelay_user = \"u\"\nrelay_password_file = \"pw\"\n")
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.relay_host", "5 delivery.relay_user", "6 delivery.relay_password_file",
            ])
    }

    @Test func errorsNameKeyAndLine() {
        let errors = configErrors(Self.base + "[delivery]\nnameserver = []\nsmtp_port = 0\nnameservers = [\"nope\"]\n")
        #expect(errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == ["4 delivery.nameserver", "5 delivery.smtp_port", "6 delivery.nameservers"])
    }
}
