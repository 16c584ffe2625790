import Core
import PostaTestSupport
import Queue
import Testing

@Suite("Config: [delivery]")
struct ConfigDeliveryTests {
    static let base = "hostname = \"mx.example.org\"\ndata_dir = \"/var/lib/posta\"\n"

    @Test func defaultsAndValues() throws {
        let defaults = try #require(parsedConfig(Self.base, sections: [DeliverySettings.self]))
        #expect(defaults.delivery == DeliverySettings(nameservers: [], smtpPort: 25))
        let set = try #require(
            parsedConfig(
                Self.base + "[delivery]\nnameservers = [\"127.0.0.1:5353\", \"[::1]:53\"]\nsmtp_port = 2526\n",
                sections: [DeliverySettings.self]))
        #expect(set.delivery.nameservers == [.init(host: "127.0.0.1", port: 5353), .init(host: "::1", port: 53)])
        #expect(set.delivery.smtpPort == 2526)
    }

    @Test func outboundKeys() throws {
        let set = try #require(
            parsedConfig(
                Self.base
                    + "[delivery]\nmax_connections = 20\nmax_connections_per_domain = 2\nrequire_tls = [\"Example.COM\"]\ndelay_warning = \"4h\"\n",
                sections: [DeliverySettings.self]))
        #expect(set.delivery.maxConnections == 20)
        #expect(set.delivery.maxConnectionsPerDomain == 2)
        #expect(set.delivery.requireTLS == ["example.com"])
        #expect(set.delivery.delayWarning == .hours(4))
        let errors = configErrors(
            Self.base
                + "[delivery]\nmax_connections = 0\nmax_connections_per_domain = \"x\"\nrequire_tls = [\"no way\"]\ndelay_warning = -1\n",
            sections: [DeliverySettings.self])
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.max_connections", "5 delivery.max_connections_per_domain", "6 delivery.require_tls",
                "7 delivery.delay_warning",
            ])
    }

    @Test func queueLease() throws {
        let base = try #require(parsedConfig(Self.base, sections: [DeliverySettings.self]))
        #expect(base.delivery.queueLease == .seconds(30))
        let set = try #require(
            parsedConfig(Self.base + "[delivery]\nqueue_lease = \"2m\"\n", sections: [DeliverySettings.self]))
        #expect(set.delivery.queueLease == .minutes(2))
        let errors = configErrors(Self.base + "[delivery]\nqueue_lease = \"5s\"\n", sections: [DeliverySettings.self])
        #expect(errors.map { $0.key ?? "" } == ["delivery.queue_lease"])
    }

    @Test func relayKeys() throws {
        let set = try #require(
            parsedConfig(
                Self.base
                    + "[delivery]\nrelay_host = \"smtp.example.net:587\"\nrelay_user = \"u\"\nrelay_password_file = \"/etc/pw\"\n",
                sections: [DeliverySettings.self]))
        #expect(set.delivery.relayHost == .init(host: "smtp.example.net", port: 587))
        #expect(set.delivery.relayUser == "u" && set.delivery.relayPasswordFile == "/etc/pw")
        let errors = configErrors(
            Self.base + "[delivery]\nrelay_host = \"nope\"\nrelay_user = \"u\"\nrelay_password_file = \"pw\"\n",
            sections: [DeliverySettings.self])
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.relay_host", "5 delivery.relay_user", "6 delivery.relay_password_file",
            ])
    }

    @Test func tlsAndTimeoutKeys() throws {
        let set = try #require(
            parsedConfig(
                Self.base
                    + "[delivery]\nverify_tls = [\"Bank.example\"]\ntls_ca_file = \"/etc/posta/ca.pem\"\nsmtp_greeting_timeout = \"2s\"\n"
                    + "smtp_connect_timeout = 3\nsmtp_command_timeout = \"1m\"\nsmtp_data_init_timeout = \"4s\"\n"
                    + "smtp_data_block_timeout = \"5s\"\nsmtp_data_done_timeout = \"1h\"\n", sections: [DeliverySettings.self]))
        #expect(set.delivery.verifyTLS == ["bank.example"] && set.delivery.tlsCAFile == "/etc/posta/ca.pem")
        let t = set.delivery.timeouts
        #expect(
            [t.connect, t.greeting, t.command, t.dataInit, t.dataBlock, t.dataDone] == [
                .seconds(3), .seconds(2), .minutes(1), .seconds(4), .seconds(5), .hours(1),
            ])
        let defaults = DeliverySettings().timeouts
        #expect(
            [defaults.greeting, defaults.command, defaults.dataInit, defaults.dataBlock, defaults.dataDone] == [
                .minutes(5), .minutes(5), .minutes(2), .minutes(3), .minutes(10),
            ])
        let errors = configErrors(
            Self.base + "[delivery]\nverify_tls = \"bank.example\"\ntls_ca_file = \"ca.pem\"\nsmtp_greeting_timeout = 0\n"
                + "smtp_data_done_timeout = \"2h\"\n", sections: [DeliverySettings.self])
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.verify_tls", "5 delivery.tls_ca_file", "6 delivery.smtp_greeting_timeout",
                "7 delivery.smtp_data_done_timeout",
            ])
    }

    @Test func errorsNameKeyAndLine() {
        let errors = configErrors(
            Self.base + "[delivery]\nnameserver = []\nsmtp_port = 0\nnameservers = [\"nope\"]\n",
            sections: [DeliverySettings.self])
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 delivery.nameserver", "5 delivery.smtp_port", "6 delivery.nameservers",
            ])
    }
}
