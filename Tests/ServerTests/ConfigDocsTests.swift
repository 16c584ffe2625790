import Core
import Directory
import Foundation
import PostaTestSupport
import Server
import Store
import Testing

@Suite struct ConfigDocsTests {
    /// The TOML blocks of docs/config.md after `heading`.
    func tomlBlock(after heading: String) throws -> String {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/config.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(text.range(of: heading)).upperBound
        let start = try #require(text.range(of: "```toml\n", range: section..<text.endIndex)).upperBound
        let end = try #require(text.range(of: "```", range: start..<text.endIndex)).lowerBound
        return String(text[start..<end])
    }

    @Test func completeExampleParses() throws {
        let config = try #require(parsedConfig(try tomlBlock(after: "## A complete example"), sections: PostaConfig.siteSections))
        #expect(config.listeners.map(\.tls) == [.starttls, .implicit, .implicit, .none])
        #expect(config.tls?.certificatePath == "/var/lib/posta/tls/cert.pem")
    }

    @Test func storeExampleShowsTheDefaults() throws {
        let config = try #require(
            parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[store]`")), sections: PostaConfig.siteSections))
        #expect(config.store == StoreSettings())
    }

    @Test func limitsExampleShowsTheDefaults() throws {
        let config = try #require(
            parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[limits]`")), sections: PostaConfig.siteSections))
        #expect(config.limits == Limits())
    }

    @Test func metricsExampleShowsTheDefaults() throws {
        let config = try #require(
            parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[metrics]`")), sections: PostaConfig.siteSections))
        #expect(config.metrics == MetricsSettings())
    }

    @Test func authExampleShowsTheDefaults() throws {
        let config = try #require(
            parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[auth]`")), sections: PostaConfig.siteSections))
        #expect(config.auth == AuthSettings())
    }

    @Test func ldapExampleParses() throws {
        let config = try #require(
            parsedConfig(
                configHeader + "\n" + (try tomlBlock(after: "## `[[directory.ldap]]`")), sections: PostaConfig.siteSections))
        let source = try #require(config.directory.ldap.first)
        var defaults = LDAPSourceSettings(urls: source.urls, base: source.base, domains: source.domains)
        (defaults.bindDN, defaults.bindPasswordFile) = (source.bindDN, source.bindPasswordFile)
        #expect(source == defaults)
    }
}

@Suite("Config: the site's sections")
struct SiteSectionsTests {
    @Test func everySubsystemTableIsAccepted() throws {
        let text =
            configHeader
            + "\n[delivery]\nsmtp_port = 2525\n[filter]\nheader_checks = true\n[auth]\ndelay_after = 5\n[store]\norphan_age = \"2h\"\n"
        let config = try #require(parsedConfig(text, sections: PostaConfig.siteSections))
        #expect(config.delivery.smtpPort == 2525 && config.filter.headerChecks && config.auth.delayAfter == 5)
        #expect(config.store.orphanAge == .hours(2))
    }

    @Test func theUnknownKeyMessageNamesThemInFileOrder() throws {
        let error = try #require(singleError(configHeader + "\nhostnme = 1\n", sections: PostaConfig.siteSections))
        #expect(
            error.message.hasSuffix(
                "limits, listener, delivery, filter, auth, directory, store, dmarc, mta_sts, metrics, summary, abuse, admin, sieve)"
            ))
    }
}
