import Core
import Logging
import PostaTestSupport
import Testing

@Suite struct ConfigTests {
    // MARK: Valid files

    @Test func fullFileParses() throws {
        let text = """
            hostname = "mx1.example.org"
            data_dir = "/var/lib/posta"
            node_id = "mx1-a"

            [log]
            format = "json"
            level = "warning"

            [database]
            url = "postgres://posta:s%40cret@db.example.org:5433/mail?sslmode=require"
            pool_size = 16

            [tls]
            cert = "tls/cert.pem"
            key = "/etc/ssl/private/mx1.key"

            [limits]
            max_connections = 500
            max_connections_per_ip = 10
            idle_timeout = "10m"
            max_message_size = "25M"
            max_line_length = 8192
            max_recipients = 200

            [[listener]]
            protocol = "smtp"
            address = "0.0.0.0:25"

            [[listener]]
            protocol = "submissions"
            address = "[::]:465"
            max_connections = 100
            idle_timeout = 60
            """
        let config = try #require(parsedConfig(text))
        #expect(config.hostname == "mx1.example.org")
        #expect(config.dataDirectory == "/var/lib/posta")
        #expect(config.nodeID == "mx1-a")
        #expect(config.log == LogSettings(format: .json, level: .warning))
        #expect(
            config.database.url
                == .postgres(host: "db.example.org", port: 5433, user: "posta", password: "s@cret", database: "mail", tls: true))
        #expect(config.database.poolSize == 16)
        #expect(config.tls == TLSSettings(certificatePath: "/var/lib/posta/tls/cert.pem", keyPath: "/etc/ssl/private/mx1.key"))
        #expect(
            config.limits
                == Limits(
                    maxConnections: 500, maxConnectionsPerIP: 10, idleTimeout: .minutes(10), maxMessageSize: .mebibytes(25),
                    maxLineLength: 8192, maxRecipients: 200))
        #expect(
            config.listeners == [
                ListenerSettings(
                    protocol: .smtp, host: "0.0.0.0", port: 25, tls: .starttls, maxConnections: 500, maxConnectionsPerIP: 10,
                    idleTimeout: .minutes(10), line: 25),
                ListenerSettings(
                    protocol: .submissions, host: "::", port: 465, tls: .implicit, maxConnections: 100,
                    maxConnectionsPerIP: 10, idleTimeout: .seconds(60), line: 29),
            ])
        #expect(config.listeners[1].address == "[::]:465")
    }

    @Test func defaultsApply() throws {
        let config = try #require(parsedConfig(configHeader))
        #expect(config.nodeID == "mx1")
        #expect(config.log == LogSettings(format: .text, level: .info))
        #expect(config.database == DatabaseSettings(url: .sqlite(path: "/var/lib/posta/posta.db"), poolSize: 8))
        #expect(config.tls == nil)
        #expect(config.limits == Limits())
        #expect(config.limits.maxConnections == 2000)
        #expect(config.limits.maxConnectionsPerIP == 50)
        #expect(config.limits.idleTimeout.seconds == 300)
        #expect(config.limits.maxMessageSize.bytes == 50 * 1024 * 1024)
        #expect(config.limits.maxLineLength == 4096)
        #expect(config.limits.maxRecipients == 1000)
        #expect(config.listeners.isEmpty)
    }

    @Test func defaultNodeIDIsTruncatedFirstLabel() throws {
        let label = String(repeating: "a", count: 40)
        let config = try #require(parsedConfig("hostname = \"\(label).example.org\"\ndata_dir = \"/d\""))
        #expect(config.nodeID == String(repeating: "a", count: 32))
    }

    @Test func listenerTLSDefaultsFollowProtocol() throws {
        var text = configHeader + "\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n"
        let protocols = ListenerProtocol.allCases
        for (i, proto) in protocols.enumerated() {
            text += "[[listener]]\nprotocol = \"\(proto.rawValue)\"\naddress = \"127.0.0.1:\(1000 + i)\"\n"
        }
        let config = try #require(parsedConfig(text))
        let modes = Dictionary(uniqueKeysWithValues: config.listeners.map { ($0.protocol, $0.tls) })
        #expect(
            modes == [
                .smtp: .starttls, .submission: .starttls, .imap: .starttls, .pop3: .starttls,
                .submissions: .implicit, .imaps: .implicit, .pop3s: .implicit,
                .lmtp: .none, .http: .none, .policy: .none, .managesieve: .starttls,
            ])
    }

    @Test func allowedTLSModesParse() throws {
        let allowed: [(String, String)] = [
            ("smtp", "none"), ("submission", "none"), ("imap", "none"), ("pop3", "none"), ("lmtp", "starttls"),
            ("http", "implicit"), ("http", "none"), ("submissions", "implicit"), ("policy", "none"),
        ]
        var text = configHeader + "\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n"
        for (i, (proto, mode)) in allowed.enumerated() {
            text += "[[listener]]\nprotocol = \"\(proto)\"\naddress = \"127.0.0.1:\(2000 + i)\"\ntls = \"\(mode)\"\n"
        }
        let config = try #require(parsedConfig(text))
        #expect(config.listeners.map(\.tls.rawValue) == allowed.map(\.1))
    }

    @Test func listenerAddressForms() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "[2001:db8::1]:8080"
                [[listener]]
                protocol = "http"
                address = "mail.example.org:8081"
                [[listener]]
                protocol = "http"
                address = "192.0.2.7:8082"
                """
        let config = try #require(parsedConfig(text))
        #expect(config.listeners.map(\.host) == ["2001:db8::1", "mail.example.org", "192.0.2.7"])
        #expect(config.listeners.map(\.port) == [8080, 8081, 8082])
        #expect(config.listeners.map(\.line) == [3, 6, 9])
    }

    @Test func inlineArrayOfListenerTables() throws {
        let text =
            configHeader + """

                listener = [
                  { protocol = "http", address = "127.0.0.1:8080" },
                  { protocol = "http", address = "127.0.0.1:8080", prot = 1 },
                ]
                """
        let errors = configErrors(text)
        #expect(errors.map(\.key) == ["listener[1].prot", "listener[1].address"])
        #expect(errors.map(\.line) == [5, 5])
    }

    // MARK: Unknown keys

    @Test func unknownTopLevelKey() throws {
        let error = try #require(singleError(configHeader + "\nhostnme = \"typo\"", path: "posta.toml"))
        #expect(error.kind == .unknownKey)
        #expect(error.key == "hostnme")
        #expect(error.line == 3)
        #expect(
            error.description
                == "posta.toml:3: unknown key 'hostnme' in the top-level table (expected one of: hostname, data_dir, node_id, log, database, tls, limits, listener)"
        )
    }

    @Test func unknownKeyInTable() throws {
        let text =
            configHeader + """

                [log]
                level = "info"
                formt = "json"
                """
        let error = try #require(singleError(text))
        #expect(error.kind == .unknownKey)
        #expect(error.key == "log.formt")
        #expect(error.line == 5)
        #expect(error.expected == "one of: format, level")
        #expect(error.message.contains("in [log]"))
    }

    @Test func unknownKeyInSecondListener() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "127.0.0.1:8080"

                [[listener]]
                protocol = "policy"
                adress = "127.0.0.1:10031"
                """
        let errors = configErrors(text)
        let unknown = try #require(errors.first { $0.kind == .unknownKey })
        #expect(unknown.key == "listener[1].adress")
        #expect(unknown.line == 9)
        #expect(unknown.message.contains("in listener[1]"))
        // … and the required address is reported missing, at the header of that listener.
        let missing = try #require(errors.first { $0.kind == .missingKey })
        #expect(missing.key == "listener[1].address")
        #expect(missing.line == 7)
        #expect(errors.count == 2)
    }

    @Test func unknownKeysViaDottedAndQuotedKeys() throws {
        let text =
            configHeader + """

                log.format = "json"
                limits."max.connections" = 3
                """
        let error = try #require(singleError(text))
        #expect(error.key == "limits.\"max.connections\"")
        #expect(error.line == 4)
    }

    @Test func unknownNestedTableHeader() throws {
        let text =
            configHeader + """

                [limits]
                max_connections = 10

                [limits.smtp]
                max_connections = 5
                """
        let error = try #require(singleError(text))
        #expect(error.key == "limits.smtp")
        #expect(error.line == 6)
    }

    // MARK: Missing keys

    @Test func missingRequiredTopLevelKeys() {
        let errors = configErrors("[log]\nlevel = \"info\"")
        #expect(errors.map(\.key) == ["hostname", "data_dir"])
        #expect(errors.allSatisfy { $0.kind == .missingKey && $0.line == nil })
        #expect(errors[0].description.hasPrefix("/etc/posta/posta.toml: missing required key 'hostname'"))
    }

    @Test func missingListenerProtocol() throws {
        let text = configHeader + "\n\n[[listener]]\naddress = \"127.0.0.1:25\""
        let error = try #require(singleError(text))
        #expect(error.kind == .missingKey)
        #expect(error.key == "listener[0].protocol")
        #expect(error.line == 4)
    }

    @Test func missingTLSKey() throws {
        let text = configHeader + "\n[tls]\ncert = \"cert.pem\""
        let error = try #require(singleError(text))
        #expect(error.kind == .missingKey)
        #expect(error.key == "tls.key")
        #expect(error.line == 3)
    }

    // MARK: Wrong types

    @Test func wrongTypeInteger() throws {
        let text =
            configHeader + """

                [limits]
                max_connections = "many"
                """
        let error = try #require(singleError(text, path: "posta.toml"))
        #expect(error.kind == .wrongType)
        #expect(error.key == "limits.max_connections")
        #expect(error.line == 4)
        #expect(error.expected == "an integer 1...1000000")
        #expect(
            error.description
                == "posta.toml:4: limits.max_connections: expected an integer 1...1000000, got a string (\"many\")")
    }

    @Test func wrongTypeString() throws {
        let error = try #require(singleError("hostname = 42\ndata_dir = \"/d\""))
        #expect(error.kind == .wrongType)
        #expect(error.key == "hostname")
        #expect(error.line == 1)
        #expect(error.message.hasSuffix("got an integer (42)"))
    }

    @Test func wrongTypeFloatForInteger() throws {
        let error = try #require(singleError(configHeader + "\n[database]\npool_size = 8.0"))
        #expect(error.kind == .wrongType)
        #expect(error.key == "database.pool_size")
        #expect(error.line == 4)
    }

    @Test func wrongTypeForTables() {
        let text =
            configHeader + """

                log = "json"
                listener = 5
                """
        let errors = configErrors(text)
        #expect(errors.map(\.key) == ["log", "listener"])
        #expect(errors.map(\.line) == [3, 4])
        #expect(errors.allSatisfy { $0.kind == .wrongType })
        #expect(errors[1].expected == "an array of tables ([[listener]])")
    }

    @Test func singleListenerTableIsWrongType() throws {
        let error = try #require(singleError(configHeader + "\n[listener]\nprotocol = \"smtp\""))
        #expect(error.kind == .wrongType)
        #expect(error.key == "listener")
        #expect(error.line == 3)
    }

    // MARK: Impossible values

    @Test(arguments: ["0.0.0.0:0", "0.0.0.0:70000"])
    func portOutOfRange(address: String) throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "\(address)"
                """
        let error = try #require(singleError(text, path: "posta.toml"))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "listener[0].address")
        #expect(error.line == 5)
        #expect(error.expected == "\"IPv4:port\", \"[IPv6]:port\" or \"host:port\" with a port 1...65535")
        #expect(error.description.hasPrefix("posta.toml:5: listener[0].address: expected "))
        #expect(error.description.contains("got \"\(address)\""))
    }

    @Test(arguments: [
        "::1:25", "127.0.0.1", "[::1]25", "[fe80::1%eth0]:25", "bad_host:25", "256.1.1.1:25", ":25", "[::1]:", "x:y",
    ])
    func malformedAddress(address: String) throws {
        let text = configHeader + "\n[[listener]]\nprotocol = \"http\"\naddress = \"\(address)\""
        let error = try #require(singleError(text))
        #expect(error.key == "listener[0].address")
        #expect(error.line == 5)
    }

    @Test func badProtocol() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "smtps"
                address = "0.0.0.0:465"
                """
        let error = try #require(singleError(text))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "listener[0].protocol")
        #expect(error.line == 4)
        #expect(
            error.expected == "one of: smtp, submission, submissions, imap, imaps, pop3, pop3s, lmtp, http, policy, managesieve")
    }

    @Test func implicitTLSOnSMTPIsImpossible() throws {
        let text =
            configHeader + """

                [tls]
                cert = "c.pem"
                key = "k.pem"

                [[listener]]
                protocol = "smtp"
                address = "0.0.0.0:25"
                tls = "implicit"
                """
        let error = try #require(singleError(text))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "listener[0].tls")
        #expect(error.line == 10)
        #expect(error.expected == "\"none\" or \"starttls\" for smtp")
    }

    @Test(arguments: [
        ("imaps", "starttls"), ("submissions", "none"), ("pop3s", "starttls"), ("policy", "starttls"),
        ("http", "starttls"), ("lmtp", "implicit"), ("policy", "implicit"),
    ])
    func impossibleTLSModes(proto: String, mode: String) throws {
        let text =
            configHeader + """

                [tls]
                cert = "c.pem"
                key = "k.pem"
                [[listener]]
                protocol = "\(proto)"
                address = "0.0.0.0:1000"
                tls = "\(mode)"
                """
        let error = try #require(singleError(text))
        #expect(error.key == "listener[0].tls")
        #expect(error.line == 9)
    }

    @Test func unknownTLSMode() throws {
        let text = configHeader + "\n[[listener]]\nprotocol = \"http\"\naddress = \"0.0.0.0:80\"\ntls = \"maybe\""
        let error = try #require(singleError(text))
        #expect(error.key == "listener[0].tls")
        #expect(error.line == 6)
        #expect(error.expected == "one of: none, starttls, implicit")
    }

    @Test func missingTLSTableWhenAListenerNeedsIt() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "127.0.0.1:8080"

                [[listener]]
                protocol = "imap"
                address = "0.0.0.0:143"

                [[listener]]
                protocol = "imaps"
                address = "0.0.0.0:993"
                tls = "implicit"
                """
        let error = try #require(singleError(text))
        #expect(error.kind == .missingKey)
        #expect(error.key == "tls")
        #expect(error.line == 7)  // the header of listener[1], whose default is starttls
        #expect(error.message.contains("listener[1] (imap, tls starttls)"))
        #expect(error.message.contains("listener[2] (imaps, tls implicit)"))
        #expect(error.expected == "a [tls] table with cert and key")
    }

    @Test func missingTLSTableNamesTheExplicitTLSLine() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "127.0.0.1:443"
                tls = "implicit"
                """
        let error = try #require(singleError(text))
        #expect(error.key == "tls")
        #expect(error.line == 6)
    }

    @Test func plainListenersNeedNoTLSTable() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "policy"
                address = "127.0.0.1:10031"
                [[listener]]
                protocol = "smtp"
                address = "127.0.0.1:25"
                tls = "none"
                """
        let config = try #require(parsedConfig(text))
        #expect(config.listeners.count == 2)
    }

    @Test(arguments: ["5 minutes", "5M", "-5m", "", "m", "5", "1.5h", "99999999999999999999s"])
    func badDurationString(value: String) throws {
        let text = configHeader + "\n[limits]\nidle_timeout = \"\(value)\""
        let error = try #require(singleError(text))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "limits.idle_timeout")
        #expect(error.line == 4)
        #expect(error.expected?.hasPrefix(ConfigDuration.expectedForm) == true)
    }

    @Test func durationOutOfRangeAndNegative() {
        let text =
            configHeader + """

                [limits]
                idle_timeout = 0
                [[listener]]
                protocol = "http"
                address = "127.0.0.1:80"
                idle_timeout = "8d"
                [[listener]]
                protocol = "http"
                address = "127.0.0.1:81"
                idle_timeout = -1
                """
        let errors = configErrors(text)
        #expect(errors.map(\.key) == ["limits.idle_timeout", "listener[0].idle_timeout", "listener[1].idle_timeout"])
        #expect(errors.map(\.line) == [4, 8, 12])
    }

    @Test(arguments: ["50MB", "1T", "0", "1023", "3G", "2049M", "5 M", "-1K", "K"])
    func badSizeString(value: String) throws {
        let text = configHeader + "\n[limits]\nmax_message_size = \"\(value)\""
        let error = try #require(singleError(text))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "limits.max_message_size")
        #expect(error.line == 4)
    }

    @Test func sizeWrongTypeAndIntegerRange() {
        let text = configHeader + "\n[limits]\nmax_message_size = 512\nmax_line_length = 100\nmax_recipients = 99"
        let errors = configErrors(text)
        #expect(errors.map(\.key) == ["limits.max_message_size", "limits.max_line_length", "limits.max_recipients"])
        #expect(errors.map(\.line) == [4, 5, 6])
        #expect(errors[0].message == "expected \(ByteSize.expectedForm), 1K...2G, got 512 (out of range)")
    }

    @Test(arguments: [
        "mx_1.example.org", "-mx.example.org", "mx-.example.org", "mx..example.org", "mx1.example.org.",
        String(repeating: "a", count: 64) + ".example.org", "", "mx1 .example.org", "müller.example",
        Array(repeating: "abcdefghi", count: 26).joined(separator: "."),
    ])
    func badHostname(hostname: String) throws {
        let error = try #require(singleError("data_dir = \"/d\"\nhostname = \"\(hostname)\""))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "hostname")
        #expect(error.line == 2)
    }

    @Test func longestValidHostname() throws {
        // 4 × 63 + 3 dots = 255 > 253, so 3 × 63 + 61 + 3 = 253.
        let name = [
            String(repeating: "a", count: 63), String(repeating: "b", count: 63), String(repeating: "c", count: 63),
            String(repeating: "d", count: 61),
        ].joined(separator: ".")
        #expect(name.count == 253)
        #expect(parsedConfig("hostname = \"\(name)\"\ndata_dir = \"/d\"")?.hostname == name)
    }

    @Test(arguments: ["mx_1", "", String(repeating: "n", count: 33), "mx.1"])
    func badNodeID(nodeID: String) throws {
        let error = try #require(singleError(configHeader + "\nnode_id = \"\(nodeID)\""))
        #expect(error.key == "node_id")
        #expect(error.line == 3)
    }

    @Test func duplicateListenerAddress() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "0.0.0.0:8080"

                [[listener]]
                protocol = "http"
                address = "127.0.0.1:8080"

                [[listener]]
                protocol = "policy"
                address = "0.0.0.0:8080"
                """
        let error = try #require(singleError(text, path: "posta.toml"))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "listener[2].address")
        #expect(error.line == 13)
        #expect(
            error.description == "posta.toml:13: listener[2].address: \"0.0.0.0:8080\" is already used by listener[0] at line 5")
    }

    @Test func duplicateIPv6AddressWrittenDifferently() throws {
        let text =
            configHeader + """

                [[listener]]
                protocol = "http"
                address = "[::1]:80"
                [[listener]]
                protocol = "http"
                address = "[0:0::0:1]:80"
                """
        let error = try #require(singleError(text))
        #expect(error.key == "listener[1].address")
        #expect(error.line == 8)
        #expect(error.message.contains("listener[0] at line 5"))
    }

    @Test(arguments: [
        "mysql://u@h/db", "postgres://db.example.org/mail", "postgres://u@h:99999/db", "postgres://u@h/db?sslmode=prefer",
        "postgres://u@h/db?ssl=true", "postgres://u@h", "postgres://u@/db", "postgres://u%zz@h/db", "sqlite:",
        "sqlite://host/x.db", "sqlite:///", "posta.db",
    ])
    func badDatabaseURL(url: String) throws {
        let text = configHeader + "\n[database]\nurl = \"\(url)\""
        let error = try #require(singleError(text))
        #expect(error.kind == .invalidValue)
        #expect(error.key == "database.url")
        #expect(error.line == 4)
        #expect(error.expected == DatabaseURL.expectedForm)
    }

    @Test func poolSizeRange() {
        let errors = configErrors(configHeader + "\n[database]\npool_size = 0")
        #expect(errors.map(\.key) == ["database.pool_size"])
        #expect(errors.map(\.line) == [4])
        #expect(configErrors(configHeader + "\n[database]\npool_size = 257").map(\.key) == ["database.pool_size"])
        #expect(configErrors(configHeader + "\n[database]\npool_size = 256").isEmpty)
    }

    @Test func badLogValues() {
        let errors = configErrors(configHeader + "\n[log]\nformat = \"xml\"\nlevel = \"verbose\"")
        #expect(errors.map(\.key) == ["log.format", "log.level"])
        #expect(errors.map(\.line) == [4, 5])
        #expect(errors[1].expected == "one of: trace, debug, info, notice, warning, error, critical")
    }

    @Test func allLogLevelsAccepted() throws {
        for level in Logger.Level.allCases {
            let config = try #require(parsedConfig(configHeader + "\n[log]\nlevel = \"\(level.rawValue)\""))
            #expect(config.log.level == level)
        }
    }

    // MARK: Several errors

    @Test func reportsAllErrorsSortedByLine() throws {
        let text = """
            hostname = "bad_host"
            data_dir = "/var/lib/posta"
            colour = "blue"

            [log]
            level = "loud"

            [limits]
            max_connections = 0
            idle_timeout = "soon"

            [[listener]]
            protocol = "smtp"
            address = "0.0.0.0:25"
            tls = "implicit"

            [[listener]]
            protocol = "gopher"
            address = "0.0.0.0:25"
            """
        let errors = configErrors(text, path: "posta.toml")
        #expect(
            errors.map(\.key) == [
                "hostname", "colour", "log.level", "limits.max_connections", "limits.idle_timeout", "listener[0].tls",
                "listener[1].protocol", "listener[1].address",
            ])
        #expect(errors.map(\.line) == [1, 3, 6, 9, 10, 15, 18, 19])
        let description = ConfigErrors(errors).description
        #expect(description.split(separator: "\n").count == 8)
        #expect(description.hasPrefix("posta.toml:1: hostname: expected a DNS name"))
    }

    @Test func thrownErrorsAreTheSameAsCollected() {
        do {
            _ = try PostaConfig.parse("hostname = 1", path: "x.toml", sections: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.count == 2)  // hostname type, data_dir missing
            #expect(error.description.split(separator: "\n").count == 2)
        }
    }

    // MARK: Syntax errors

    @Test func syntaxErrorHasLineAndColumn() throws {
        let text = configHeader + "\n\n[log]\nformat = \"text\nlevel = \"info\""
        let error = try #require(singleError(text, path: "posta.toml"))
        #expect(error.kind == .syntax)
        #expect(error.line == 5)
        #expect(error.column != nil)
        #expect(error.description.hasPrefix("posta.toml:5:\(error.column ?? 0): TOML syntax error: "))
    }

    @Test func syntaxErrorColumn() throws {
        let error = try #require(singleError("hostname = \"a\"\ndata_dir = @"))
        #expect(error.kind == .syntax)
        #expect(error.line == 2)
        #expect(error.column == 12)
    }

    @Test func duplicateKeyIsASyntaxError() throws {
        let error = try #require(singleError(configHeader + "\nhostname = \"mx2.example.org\""))
        #expect(error.kind == .syntax)
        #expect(error.line == 3)
    }

    // MARK: Multi-line values are not keys

    @Test func multilineStringsAreNotMisreported() {
        let text =
            configHeader + """

                motd = \"\"\"
                listener = 5
                [log]
                \"\"\"
                banner = '''
                format = "x"
                [[listener]]
                '''
                ports = [
                  "hostnme = 1",
                  { protocol = "x" },
                ]
                [log]
                formt = "json"
                """
        let errors = configErrors(text)
        #expect(errors.map(\.key) == ["motd", "banner", "ports", "log.formt"])
        #expect(errors.map(\.line) == [3, 7, 11, 16])
        #expect(errors.allSatisfy { $0.kind == .unknownKey })
    }

    // MARK: Paths

    @Test func relativePathsResolveAgainstConfigFolderAndDataDir() throws {
        let text = """
            hostname = "mx1.example.org"
            data_dir = "data/../state/"
            [database]
            url = "sqlite:db/posta.db"
            [tls]
            cert = "tls/cert.pem"
            key = "../keys/./key.pem"
            """
        let config = try #require(parsedConfig(text, path: "/srv/posta/conf/posta.toml"))
        #expect(config.dataDirectory == "/srv/posta/conf/state")
        #expect(config.database.url == .sqlite(path: "/srv/posta/conf/state/db/posta.db"))
        #expect(config.tls?.certificatePath == "/srv/posta/conf/state/tls/cert.pem")
        #expect(config.tls?.keyPath == "/srv/posta/conf/keys/key.pem")
    }

    @Test func absolutePathsAreKept() throws {
        let text = """
            hostname = "mx1.example.org"
            data_dir = "/var/lib/posta"
            [database]
            url = "sqlite:///var/db/posta.db"
            """
        let config = try #require(parsedConfig(text, path: "/etc/posta/posta.toml"))
        #expect(config.dataDirectory == "/var/lib/posta")
        #expect(config.database.url == .sqlite(path: "/var/db/posta.db"))
        let absoluteSQLite = try #require(
            parsedConfig(configHeader + "\n[database]\nurl = \"sqlite:/opt/p.db\""))
        #expect(absoluteSQLite.database.url == .sqlite(path: "/opt/p.db"))
    }

    @Test func relativeConfigPathUsesWorkingDirectory() throws {
        let config = try #require(parsedConfig("hostname = \"h\"\ndata_dir = \"d\"", path: "posta.toml"))
        #expect(config.dataDirectory.hasPrefix("/"))
        #expect(config.dataDirectory.hasSuffix("/d"))
        #expect(!config.dataDirectory.contains("/./"))
    }

    // MARK: Development template

    @Test func developmentTemplateParses() throws {
        let config = try #require(parsedConfig(PostaConfig.developmentTemplate(), path: "/home/me/posta-data/posta.toml"))
        #expect(config.hostname == "localhost")
        #expect(config.dataDirectory == "/home/me/posta-data")
        #expect(config.database.url == .sqlite(path: "/home/me/posta-data/posta.db"))
        #expect(
            config.tls
                == TLSSettings(
                    certificatePath: "/home/me/posta-data/tls/cert.pem", keyPath: "/home/me/posta-data/tls/key.pem"))
        #expect(config.limits == Limits())
        #expect(config.listeners.allSatisfy { $0.host == "127.0.0.1" })
        let ports = config.listeners.map { "\($0.protocol.rawValue):\($0.port):\($0.tls.rawValue)" }
        #expect(
            ports == [
                "smtp:2525:starttls", "submission:2587:starttls", "submissions:2465:implicit", "imap:2143:starttls",
                "imaps:2993:implicit", "pop3:2110:starttls", "pop3s:2995:implicit", "managesieve:24190:starttls",
                "http:8080:none", "http:8443:implicit", "policy:10031:none",
            ])
        #expect(PostaConfig.developmentTemplate().contains("#"))
    }

    // MARK: Loading

    @Test func loadMissingFileIsOneError() {
        do {
            _ = try PostaConfig.load(path: "/nonexistent/posta/posta.toml", sections: [])
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors[0].kind == .unreadable)
            #expect(error.errors[0].path == "/nonexistent/posta/posta.toml")
            #expect(error.errors[0].line == nil)
            #expect(error.description.contains("No such file or directory"))
        }
    }
}
