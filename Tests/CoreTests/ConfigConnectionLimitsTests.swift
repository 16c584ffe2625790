import Core
import PostaTestSupport
import Testing

@Suite struct ConfigConnectionLimitsTests {
    @Test func defaultsSplitTheServerBudget() throws {
        let config = try #require(parsedConfig(configHeader + "\n[limits]\nmax_connections = 1000\n"))
        let limits = config.limits
        #expect(limits.budget(.mx) == 400 && limits.budget(.submission) == 200)
        #expect(limits.budget(.mailbox) == 300 && limits.budget(.service) == 100)
        #expect(limits.loginTimeout == .seconds(60) && limits.maxCommandsBeforeLogin == 50 && limits.ipv6PrefixLength == 64)
    }

    @Test func keysParse() throws {
        let config = try #require(
            parsedConfig(
                configHeader + """

                    [limits]
                    login_timeout = "30s"
                    max_commands_before_login = 20
                    ipv6_prefix_length = 56
                    max_connections_mx = 500
                    max_connections_mailbox = 700
                    [[listener]]
                    protocol = "imap"
                    address = "127.0.0.1:143"
                    tls = "none"
                    login_timeout = "2m"
                    [[listener]]
                    protocol = "policy"
                    address = "127.0.0.1:10031"
                    [[listener]]
                    protocol = "smtp"
                    address = "127.0.0.1:10026"
                    tls = "none"
                    filter = false
                    [[listener]]
                    protocol = "smtp"
                    address = "127.0.0.1:25"
                    tls = "none"
                    [[listener]]
                    protocol = "policy"
                    address = "127.0.0.1:10032"
                    allowed_clients = ["10.0.0.0/8"]
                    [[listener]]
                    protocol = "lmtp"
                    address = "127.0.0.1:24"
                    """))
        let limits = config.limits
        #expect(limits.loginTimeout == .seconds(30) && limits.maxCommandsBeforeLogin == 20 && limits.ipv6PrefixLength == 56)
        #expect(limits.budget(.mx) == 500 && limits.budget(.mailbox) == 700 && limits.budget(.submission) == 400)
        let listeners = config.listeners
        #expect(listeners[0].loginTimeout == .minutes(2) && listeners[0].maxCommandsBeforeLogin == 20)
        #expect(listeners[0].allowedClients == nil && listeners[0].allows("203.0.113.9"))
        // Policy, LMTP and re-injection listeners admit loopback only unless configured.
        #expect(listeners[1].allows("127.0.0.1") && listeners[1].allows("::1") && listeners[1].allows("::ffff:127.0.0.2"))
        #expect(!listeners[1].allows("192.0.2.1") && !listeners[2].allows("192.0.2.1") && listeners[2].allows("127.0.0.1"))
        #expect(listeners[3].allows("192.0.2.1"))
        #expect(listeners[4].allows("10.1.2.3") && !listeners[4].allows("127.0.0.1"))
        // LMTP serves the site's own MTA (RFC 2033 §1): loopback only unless configured.
        #expect(listeners[5].allows("127.0.0.1") && !listeners[5].allows("192.0.2.1"))
    }

    @Test func badValuesNameLineAndKey() throws {
        let prefix = try #require(singleError(configHeader + "\n[limits]\nipv6_prefix_length = 16\n"))
        #expect(prefix.key == "limits.ipv6_prefix_length" && prefix.line == 4)
        let budget = try #require(singleError(configHeader + "\n[limits]\nmax_connections_mx = 0\n"))
        #expect(budget.key == "limits.max_connections_mx")
        let allowed = try #require(
            singleError(
                configHeader
                    + "\n[[listener]]\nprotocol = \"policy\"\naddress = \"127.0.0.1:1\"\nallowed_clients = [\"10.0.0.0/40\"]\n"
            ))
        #expect(allowed.key == "listener[0].allowed_clients" && allowed.line == 6)
        let timeout = try #require(singleError(configHeader + "\n[limits]\nlogin_timeout = \"2h\"\n"))
        #expect(timeout.key == "limits.login_timeout")
    }
}
