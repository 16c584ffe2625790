import Core
import Testing

@testable import Server

/// Plain HTTP sends the console, the API and autoconfiguration to HTTPS, to the host the client
/// asked for, keeping path and query; it never builds a location from a malformed Host.
@Suite struct HTTPSRedirectTests {
    @Test func keepsHostPathAndQuery() {
        let location = HTTPSLocation.make(
            host: "mail.example.org:8080", fallback: "localhost", port: 8443, pathAndQuery: "/admin/accounts?search=a%40b")
        #expect(location == "https://mail.example.org:8443/admin/accounts?search=a%40b")
        #expect(
            HTTPSLocation.make(host: "[::1]:8080", fallback: "x", port: 443, pathAndQuery: "/")
                == "https://[::1]/")
    }

    @Test func malformedHostFallsBackToTheSiteName() {
        for host in ["evil.example/path", "a@b", "", "[::1", "[zz]", "exa mple.org", "\u{00e9}.org"] {
            let location = HTTPSLocation.make(
                host: host, fallback: "mx.example.org", port: 8443, pathAndQuery: "/admin")
            #expect(location == "https://mx.example.org:8443/admin", "host \(host)")
        }
    }

    @Test func onlyTheSitesNamesAreKept() async {
        let local: @Sendable (String) async -> Bool = { $0 == "example.org" }
        for host in [
            "mx.example.net", "MX.example.net", "localhost", "mail.example.org", "example.org", "a.b.example.org",
            "[::1]", "127.0.0.1",
        ] {
            #expect(await HTTPSLocation.isSiteName(host, hostname: "mx.example.net", isLocalDomain: local), "\(host)")
        }
        for host in ["evil.example", "example.org.evil.example", "notexample.org", "org"] {
            #expect(await !HTTPSLocation.isSiteName(host, hostname: "mx.example.net", isLocalDomain: local), "\(host)")
        }
    }

    @Test func placementOfTheFrontEnds() throws {
        func listener(_ address: String, _ tls: String) throws -> ListenerSettings {
            let toml =
                "hostname = \"x\"\ndata_dir = \"/tmp\"\n[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n[[listener]]\nprotocol = \"http\"\naddress = \"\(address)\"\ntls = \"\(tls)\"\n"
            return try #require(try PostaConfig.parseSite(toml, path: "t.toml").listeners.first)
        }
        #expect(WebFrontEnds.Placement(listener: try listener("0.0.0.0:443", "implicit"), httpsPort: 443) == .served)
        #expect(
            WebFrontEnds.Placement(listener: try listener("0.0.0.0:80", "none"), httpsPort: 443) == .redirected(httpsPort: 443))
        #expect(WebFrontEnds.Placement(listener: try listener("127.0.0.1:8080", "none"), httpsPort: nil) == .served)
        #expect(WebFrontEnds.Placement(listener: try listener("[::1]:8080", "none"), httpsPort: nil) == .served)
        #expect(WebFrontEnds.Placement(listener: try listener("0.0.0.0:80", "none"), httpsPort: nil) == .absent)
    }
}
