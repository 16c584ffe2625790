import Core
import Directory
import Hummingbird
import HummingbirdTesting
import Logging
import PostaTestSupport
import Testing

@testable import Web

@Suite("Autoconfiguration over HTTP")
struct AutoconfigRouteTests {
    static func app(_ site: AutoconfigSite = AutoconfigFixtures.site) -> some ApplicationProtocol {
        let router = Router(context: WebRequestContext.self)
        WebRoutes.addAutoconfig(to: router, site: site, logger: Logger(label: "test"))
        return Application(router: router)
    }

    @Test("Thunderbird's lookup URLs answer for a local domain, 404 for another, 400 for no address")
    func thunderbird() async throws {
        try await Self.app().test(.router) { client in
            for uri in [
                "/mail/config-v1.1.xml?emailaddress=new.user%40example.org",
                "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=New.User@EXAMPLE.org",
            ] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == ThunderbirdAutoconfig.contentType)
                    let text = String(buffer: response.body)
                    #expect(text == ThunderbirdAutoconfig.render(domain: "example.org", site: AutoconfigFixtures.site))
                }
            }
            try await client.execute(uri: "/mail/config-v1.1.xml?emailaddress=a%40other.example", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(!String(buffer: response.body).contains("clientConfig"))
            }
            try await client.execute(uri: "/mail/config-v1.1.xml?emailaddress=%3Cscript%3E", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(!String(buffer: response.body).contains("<script>"))
            }
            // Without emailaddress the host names the domain (the test client's is "localhost": not
            // local; Host headers are checked in interop/test_autoconfig.py).
            try await client.execute(uri: "/mail/config-v1.1.xml", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("Outlook's POST: settings for a local address, 404 for another, 400 and 413 for bad bodies")
    func outlook() async throws {
        try await Self.app().test(.router) { client in
            for uri in ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"] {
                try await client.execute(
                    uri: uri, method: .post, body: ByteBuffer(string: AutoconfigRequestTests.body("jo@example.org"))
                ) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == AutodiscoverResponse.contentType)
                    let text = String(buffer: response.body)
                    #expect(text.contains("<LoginName>jo@example.org</LoginName>"))
                    #expect(AutoconfigFixtures.isWellFormed(text))
                }
            }
            try await client.execute(
                uri: "/autodiscover/autodiscover.xml", method: .post,
                body: ByteBuffer(string: AutoconfigRequestTests.body("jo@other.example"))
            ) { response in #expect(response.status == .notFound) }
            let bomb =
                "<!DOCTYPE a [<!ENTITY x \"y\">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>"
            try await client.execute(uri: "/autodiscover/autodiscover.xml", method: .post, body: ByteBuffer(string: bomb)) {
                response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("DOCTYPE"))
            }
            let huge = ByteBuffer(repeating: UInt8(ascii: " "), count: AutodiscoverRequest.maxBodySize + 1)
            try await client.execute(uri: "/autodiscover/autodiscover.xml", method: .post, body: huge) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/autodiscover/autodiscover.xml", method: .get) { response in
                #expect(response.status != .ok)
            }
        }
    }

    @Test("a directory that fails gives 503, not a crash or a document")
    func directoryDown() async throws {
        struct Down: Error {}
        let site = AutoconfigSite(
            hostname: "h.example", endpoints: AutoconfigFixtures.site.endpoints, isLocalDomain: { _ in throw Down() })
        try await Self.app(site).test(.router) { client in
            try await client.execute(uri: "/mail/config-v1.1.xml?emailaddress=a%40example.org", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test("the site of a configuration: TLS client listeners, the directory's domains", arguments: TestDatabases.dialects)
    func fromConfig(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { database in
            try await database.migrate(DirectorySchema.migrations)
            let directory = Directory(database: database)
            try await directory.addDomain("example.org")
            func listener(_ p: ListenerProtocol, _ port: Int, _ tls: TLSMode) -> ListenerSettings {
                ListenerSettings(
                    protocol: p, host: "0.0.0.0", port: port, tls: tls, maxConnections: 10, maxConnectionsPerIP: 5,
                    idleTimeout: .seconds(60), line: 0)
            }
            let config = PostaConfig(
                hostname: "mx.example.org", dataDirectory: "/tmp", nodeID: "mx",
                database: DatabaseSettings(url: .sqlite(path: "x")),
                listeners: [
                    listener(.smtp, 25, .starttls), listener(.imaps, 993, .implicit), listener(.imap, 143, .none),
                    listener(.submission, 587, .starttls), listener(.lmtp, 24, .none), listener(.http, 443, .implicit),
                ])
            let site = AutoconfigSite(config: config, directory: directory)
            #expect(site.hostname == "mx.example.org" && site.displayName == "mx.example.org")
            #expect(
                site.endpoints.map { "\($0.protocolName) \($0.port) \($0.tls)" } == [
                    "imaps 993 implicit", "submission 587 starttls",
                ])
            #expect(site.httpsPort == 443)
            #expect(try await site.isLocalDomain("EXAMPLE.org"))
            #expect(try await !site.isLocalDomain("other.example"))
        }
    }
}
