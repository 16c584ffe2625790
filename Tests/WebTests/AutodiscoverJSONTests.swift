import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@testable import Web

/// Outlook's Autodiscover v2 JSON lookup over HTTP: both URL forms, the answer Exchange gives for
/// `AutodiscoverV1`, `InvalidProtocol` for what the site does not speak, other domains 404.
@Suite("Autodiscover v2 (JSON) over HTTP")
struct AutodiscoverJSONTests {
    /// `uri`'s status and JSON object.
    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, [String: String]) {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.headers[.contentType] == AutodiscoverJSON.contentType, "\(uri)")
            let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
            return (response.status, object ?? [:])
        }
    }

    @Test("AutodiscoverV1: the XML autodiscover's URL on the site's host, by query and by path, either spelling")
    func autodiscoverV1() async throws {
        try await AutoconfigRouteTests.app().test(.router) { client in
            for uri in [
                "/autodiscover/autodiscover.json?Email=jo%40example.org&Protocol=AutodiscoverV1",
                "/autodiscover/autodiscover.json?Email=jo@EXAMPLE.org&Protocol=autodiscoverv1&RedirectCount=1",
                "/autodiscover/autodiscover.json/v1.0/jo@example.org?Protocol=AutodiscoverV1",
                "/autodiscover/autodiscover.json/v1.0/jo%40example.org?Protocol=AutodiscoverV1",
                "/Autodiscover/Autodiscover.json/v1.0/jo@example.org?Protocol=AutodiscoverV1",
            ] {
                let (status, json) = try await Self.get(client, uri)
                #expect(status == .ok, "\(uri)")
                #expect(
                    json == ["Protocol": "AutodiscoverV1", "Url": "https://mail.example.net/autodiscover/autodiscover.xml"],
                    "\(uri)")
            }
            // Exactly as Exchange writes it: no escaped slashes.
            try await client.execute(
                uri: "/autodiscover/autodiscover.json?Email=jo%40example.org&Protocol=AutodiscoverV1", method: .get
            ) { response in
                #expect(
                    String(buffer: response.body)
                        == #"{"Protocol":"AutodiscoverV1","Url":"https://mail.example.net/autodiscover/autodiscover.xml"}"#)
                #expect(response.headers[.cacheControl] == "no-cache")
            }
        }
    }

    @Test("other protocols (ActiveSync, EWS, none) get Exchange's 400 InvalidProtocol; bad or foreign addresses 400/404")
    func refusals() async throws {
        try await AutoconfigRouteTests.app().test(.router) { client in
            for (uri, given) in [
                ("/autodiscover/autodiscover.json?Email=jo%40example.org&Protocol=ActiveSync", "ActiveSync"),
                ("/autodiscover/autodiscover.json/v1.0/jo@example.org?Protocol=Ews", "Ews"),
                ("/autodiscover/autodiscover.json/v1.0/jo@example.org", ""),
            ] {
                let (status, json) = try await Self.get(client, uri)
                #expect(status == .badRequest && json["ErrorCode"] == "InvalidProtocol", "\(uri)")
                #expect(
                    json["ErrorMessage"]
                        == "The given protocol value '\(given)' is invalid. Supported values are 'AutodiscoverV1'")
            }
            let (noAddress, why) = try await Self.get(client, "/autodiscover/autodiscover.json?Protocol=AutodiscoverV1")
            #expect(noAddress == .badRequest && why["ErrorCode"] != nil && why["Url"] == nil)
            let (hostile, _) = try await Self.get(
                client, "/autodiscover/autodiscover.json?Email=%3Cscript%3E&Protocol=AutodiscoverV1")
            #expect(hostile == .badRequest)
            let (foreign, json) = try await Self.get(
                client, "/autodiscover/autodiscover.json/v1.0/jo@other.example?Protocol=AutodiscoverV1")
            #expect(foreign == .notFound && json["Url"] == nil)
        }
    }

    @Test("the URL names the site's HTTPS port when it is not 443; a failing directory is a 503")
    func portAndOutage() async throws {
        struct Down: Error {}
        let fixture = AutoconfigFixtures.site
        let site = AutoconfigSite(
            hostname: "mx.example.org", endpoints: fixture.endpoints, isLocalDomain: { $0 == "example.org" }, httpsPort: 8443)
        try await AutoconfigRouteTests.app(site).test(.router) { client in
            let (_, json) = try await Self.get(
                client, "/autodiscover/autodiscover.json?Email=jo%40example.org&Protocol=AutodiscoverV1")
            #expect(json["Url"] == "https://mx.example.org:8443/autodiscover/autodiscover.xml")
        }
        let down = AutoconfigSite(hostname: "h.example", endpoints: fixture.endpoints, isLocalDomain: { _ in throw Down() })
        try await AutoconfigRouteTests.app(down).test(.router) { client in
            let (status, _) = try await Self.get(
                client, "/autodiscover/autodiscover.json?Email=jo%40example.org&Protocol=AutodiscoverV1")
            #expect(status == .serviceUnavailable)
        }
        // The plain-HTTP listener serves these paths rather than redirecting them.
        #expect(AutodiscoverJSON.isLookupPath("/autodiscover/autodiscover.json"))
        #expect(AutodiscoverJSON.isLookupPath("/Autodiscover/Autodiscover.json/v1.0/jo@example.org"))
        #expect(!AutodiscoverJSON.isLookupPath("/autodiscover/autodiscover.jsonx"))
        #expect(!AutodiscoverJSON.isLookupPath("/admin"))
    }
}
