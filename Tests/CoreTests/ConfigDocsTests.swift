import Core
import Foundation
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
        let config = try #require(parsedConfig(try tomlBlock(after: "## A complete example")))
        #expect(config.listeners.map(\.tls) == [.starttls, .implicit, .implicit, .none])
        #expect(config.tls?.certificatePath == "/var/lib/posta/tls/cert.pem")
    }

    @Test func storeExampleShowsTheDefaults() throws {
        let config = try #require(parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[store]`"))))
        #expect(config.store == StoreSettings())
    }

    @Test func limitsExampleShowsTheDefaults() throws {
        let config = try #require(parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[limits]`"))))
        #expect(config.limits == Limits())
    }

    @Test func authExampleShowsTheDefaults() throws {
        let config = try #require(parsedConfig(configHeader + "\n" + (try tomlBlock(after: "## `[auth]`"))))
        #expect(config.auth == AuthSettings())
    }
}
