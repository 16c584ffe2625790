import Core
import PostaTestSupport
import Testing

@Suite struct ConfigValueTests {
    @Test func durations() {
        #expect(ConfigDuration(parsing: "30s")?.seconds == 30)
        #expect(ConfigDuration(parsing: "5m")?.seconds == 300)
        #expect(ConfigDuration(parsing: "4h")?.seconds == 14_400)
        #expect(ConfigDuration(parsing: "5d")?.seconds == 432_000)
        #expect(ConfigDuration(parsing: "0s")?.seconds == 0)
        for bad in ["", "s", "5", "5x", "5M", "5 m", " 5m", "-5m", "+5m", "1.5h", "5ms", "٥m", "99999999999999999d"] {
            #expect(ConfigDuration(parsing: bad) == nil, "\(bad)")
        }
        #expect(ConfigDuration.minutes(5).duration == .seconds(300))
        #expect(ConfigDuration.minutes(5).description == "5m")
        #expect(ConfigDuration.seconds(90).description == "90s")
        #expect(ConfigDuration.days(2).description == "2d")
        #expect(ConfigDuration.hours(3).description == "3h")
    }

    @Test func durationsInTheFile() throws {
        let text =
            configHeader + """

                [limits]
                idle_timeout = 45
                [[listener]]
                protocol = "http"
                address = "127.0.0.1:80"
                idle_timeout = "2h"
                """
        let config = try #require(parsedConfig(text))
        #expect(config.limits.idleTimeout == .seconds(45))
        #expect(config.listeners[0].idleTimeout == .hours(2))
    }

    @Test func sizes() {
        #expect(ByteSize(parsing: "1K")?.bytes == 1024)
        #expect(ByteSize(parsing: "50M")?.bytes == 52_428_800)
        #expect(ByteSize(parsing: "2G")?.bytes == 2_147_483_648)
        #expect(ByteSize(parsing: "3k")?.bytes == 3072)
        #expect(ByteSize(parsing: "1000")?.bytes == 1000)
        for bad in ["", "K", "50MB", "1T", "5 M", "-1K", "1.5M", "0x10", "99999999999999999999G"] {
            #expect(ByteSize(parsing: bad) == nil, "\(bad)")
        }
        #expect(ByteSize.mebibytes(50).description == "50M")
        #expect(ByteSize(bytes: 1000).description == "1000")
        #expect(ByteSize.gibibytes(2).description == "2G")
    }

    @Test func sizesInTheFile() throws {
        let bytes = try #require(parsedConfig(configHeader + "\n[limits]\nmax_message_size = 1048576"))
        #expect(bytes.limits.maxMessageSize == .mebibytes(1))
        let upper = try #require(parsedConfig(configHeader + "\n[limits]\nmax_message_size = \"2G\""))
        #expect(upper.limits.maxMessageSize.bytes == 2_147_483_648)
        let lower = try #require(parsedConfig(configHeader + "\n[limits]\nmax_message_size = \"1K\""))
        #expect(lower.limits.maxMessageSize.bytes == 1024)
    }

    @Test func postgresURLs() throws {
        func url(_ text: String) -> DatabaseURL? {
            parsedConfig(configHeader + "\n[database]\nurl = \"\(text)\"")?.database.url
        }
        #expect(
            url("postgres://posta@localhost/mail")
                == .postgres(host: "localhost", port: 5432, user: "posta", password: nil, database: "mail", tls: false))
        #expect(
            url("postgresql://a%20b:p%3Aw@[2001:db8::5]:6000/my%2Fdb?sslmode=disable")
                == .postgres(host: "2001:db8::5", port: 6000, user: "a b", password: "p:w", database: "my/db", tls: false))
        #expect(
            url("postgres://u:p@10.0.0.2/db?sslmode=require")
                == .postgres(host: "10.0.0.2", port: 5432, user: "u", password: "p", database: "db", tls: true))
        let parsed = try #require(url("postgres://u:p%40ss@db.example.org/mail?sslmode=require"))
        #expect(parsed.connectionString == "postgres://u:p%40ss@db.example.org:5432/mail?sslmode=require")
        #expect(parsed.description == "postgres://u:***@db.example.org:5432/mail?sslmode=require")
        #expect(DatabaseURL.sqlite(path: "/var/lib/posta/posta.db").connectionString == "sqlite:///var/lib/posta/posta.db")
    }

    @Test func errorDescriptions() {
        let located = ConfigError(
            path: "posta.toml", line: 12, key: "listener[1].address", message: "expected X, got Y", expected: "X")
        #expect(located.description == "posta.toml:12: listener[1].address: expected X, got Y")
        let syntax = ConfigError(path: "p.toml", line: 3, column: 7, message: "TOML syntax error: bad", kind: .syntax)
        #expect(syntax.description == "p.toml:3:7: TOML syntax error: bad")
        let unknown = ConfigError(path: "p.toml", line: 2, key: "x", message: "unknown key 'x' in [log]", kind: .unknownKey)
        #expect(unknown.description == "p.toml:2: unknown key 'x' in [log]")
        let noLine = ConfigError(path: "p.toml", key: "hostname", message: "m", kind: .missingKey)
        #expect(noLine.description == "p.toml: m")
        #expect(ConfigErrors([located, syntax]).description == located.description + "\n" + syntax.description)
    }
}
