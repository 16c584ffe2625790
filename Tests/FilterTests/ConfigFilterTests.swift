import Core
import Filter
import PostaTestSupport
import Testing

@Suite struct ConfigFilterTests {
    @Test func fullFilterSectionParses() throws {
        let config = try #require(
            parsedConfig(
                configHeader + """

                    [filter]
                    timeout = "45s"
                    header_checks = true
                    blocked_extensions = ["EXE", "scr"]
                    blocked_types = ["application/x-msdownload"]
                    trusted_networks = ["10.0.0.0/8", "::1"]
                    skip_authenticated = true
                    [filter.clamav]
                    socket = "/run/clamav/clamd.ctl"
                    on_failure = "accept"
                    action = "quarantine"
                    [filter.spamassassin]
                    address = "127.0.0.1:783"
                    junk_score = 4.5
                    reject_score = 20
                    junk = false
                    [filter.rspamd]
                    address = "127.0.0.1:11333"
                    quarantine_score = 12
                    [filter.external]
                    address = "127.0.0.1:10025"
                    [[listener]]
                    protocol = "smtp"
                    address = "127.0.0.1:10026"
                    tls = "none"
                    filter = false
                    """, sections: [FilterSettings.self]))
        let filter = config.filter
        #expect(filter.timeout == .seconds(45))
        #expect(filter.headerChecks && filter.skipAuthenticated)
        #expect(filter.blockedExtensions == ["exe", "scr"])
        #expect(filter.trustedNetworks == ["10.0.0.0/8", "::1"])
        #expect(filter.clamAV?.endpoint == .unix(path: "/run/clamav/clamd.ctl"))
        #expect(filter.clamAV?.onFailure == .accept && filter.clamAV?.action == .quarantine)
        #expect(filter.spamAssassin?.endpoint == .tcp(host: "127.0.0.1", port: 783))
        #expect(filter.spamAssassin?.thresholds.junk == 4.5 && filter.spamAssassin?.thresholds.reject == 20)
        #expect(filter.spamAssassin?.thresholds.junkFolder == false)
        #expect(filter.rspamd?.thresholds.quarantine == 12 && filter.rspamd?.onFailure == .tempfail)
        #expect(filter.external == .init(host: "127.0.0.1", port: 10025))
        #expect(config.listeners.map(\.filter) == [false])
    }

    @Test func noFilterSectionMeansNothing() throws {
        let config = try #require(parsedConfig(configHeader, sections: [FilterSettings.self]))
        #expect(config.filter.isEmpty)
    }

    @Test func badValuesNameLineAndKey() throws {
        let text =
            configHeader + """

                [filter.clamav]
                address = "127.0.0.1:3310"
                on_failure = "ignore"
                """
        let error = try #require(singleError(text, sections: [FilterSettings.self]))
        #expect(error.line == 5 && error.key == "filter.clamav.on_failure")
        let both = try #require(
            singleError(
                configHeader + "\n[filter.clamav]\naddress = \"127.0.0.1:3310\"\nsocket = \"/s\"\n",
                sections: [FilterSettings.self]))
        #expect(both.key == "filter.clamav.socket")
        let neither = try #require(
            singleError(configHeader + "\n[filter.spamassassin]\ntimeout = \"5s\"\n", sections: [FilterSettings.self]))
        #expect(neither.kind == .missingKey)
        let network = try #require(
            singleError(configHeader + "\n[filter]\ntrusted_networks = [\"10.0.0.0/33\"]\n", sections: [FilterSettings.self]))
        #expect(network.key == "filter.trusted_networks" && network.line == 4)
        let score = try #require(
            singleError(
                configHeader + "\n[filter.rspamd]\naddress = \"127.0.0.1:1\"\nreject_score = \"high\"\n",
                sections: [FilterSettings.self]))
        #expect(score.key == "filter.rspamd.reject_score")
        let listener = try #require(
            singleError(
                configHeader + "\n[[listener]]\nprotocol = \"http\"\naddress = \"127.0.0.1:8080\"\nfilter = false\n",
                sections: [FilterSettings.self]))
        #expect(listener.key == "listener[0].filter")
    }

    @Test func dmarcOverridesParse() throws {
        let config = try #require(
            parsedConfig(
                configHeader + """

                    [filter]
                    sender_authentication = true
                    trusted_arc_sealers = ["Lists.Example.org"]
                    dmarc_whitelist = ["lists.example", "192.0.2.0/24", "2001:db8::/32"]
                    """, sections: [FilterSettings.self]))
        #expect(config.filter.trustedARCSealers == ["lists.example.org"])
        #expect(config.filter.dmarcWhitelist == ["lists.example", "192.0.2.0/24", "2001:db8::/32"])
        let sealer = try #require(
            singleError(configHeader + "\n[filter]\ntrusted_arc_sealers = [\"192.0.2.0/24\"]\n", sections: [FilterSettings.self]))
        #expect(sealer.key == "filter.trusted_arc_sealers")
        let entry = try #require(
            singleError(configHeader + "\n[filter]\ndmarc_whitelist = [\"not a domain\"]\n", sections: [FilterSettings.self]))
        #expect(entry.key == "filter.dmarc_whitelist")
    }

    @Test func networkPrefixes() throws {
        let net = try #require(NetworkPrefix(parsing: "192.0.2.0/24"))
        #expect(net.contains("192.0.2.77") && !net.contains("192.0.3.1") && !net.contains("::1"))
        let v6 = try #require(NetworkPrefix(parsing: "2001:db8::/33"))
        #expect(v6.contains("2001:db8:7fff::1") && !v6.contains("2001:db8:8000::1"))
        #expect(NetworkPrefix(parsing: "127.0.0.1")?.contains("127.0.0.1") == true)
        #expect(NetworkPrefix(parsing: "300.0.0.0/8") == nil && NetworkPrefix(parsing: "10.0.0.0/x") == nil)
    }
}
