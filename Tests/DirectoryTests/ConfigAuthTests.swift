import Core
import Directory
import PostaTestSupport
import Testing

@Suite("Config: [auth]")
struct ConfigAuthTests {
    @Test func defaultsWithoutTheSection() throws {
        let config = try #require(parsedConfig(configHeader, sections: [AuthSettings.self]))
        #expect(config.auth == AuthSettings())
        #expect(config.auth.logRetention == .days(90))
    }

    @Test func valuesAreRead() throws {
        let text =
            configHeader + """

                [auth]
                max_failures_per_connection = 5
                max_delay = "2s"
                lockout_after = 20
                trusted_for = "7d"
                log_retention = "30d"
                """
        let auth = try #require(parsedConfig(text, sections: [AuthSettings.self])).auth
        #expect(auth.maxFailuresPerConnection == 5 && auth.maxDelay == .seconds(2) && auth.lockoutAfter == 20)
        #expect(auth.trustedFor == .days(7) && auth.logRetention == .days(30))
    }

    @Test func errorsNameKeyAndLine() {
        let errors = configErrors(
            configHeader + "\n[auth]\nmax_failures_per_connection = 0\nlog_retention = \"1h\"\nipv6_prefix = 56\nretention = 3\n",
            sections: [AuthSettings.self])
        #expect(
            errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == [
                "4 auth.max_failures_per_connection", "5 auth.log_retention", "6 auth.ipv6_prefix", "7 auth.retention",
            ])
    }
}
