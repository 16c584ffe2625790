import Core
import Testing

@testable import Web

@Suite("Autoconfiguration documents")
struct AutoconfigRenderTests {
    typealias Element = StrictXMLReader.Element

    private func parse(_ text: String?) throws -> Element {
        let text = try #require(text)
        #expect(AutoconfigFixtures.isWellFormed(text))
        return try StrictXMLReader.parse(Array(text.utf8), limits: .init(maxBytes: 1 << 20))
    }

    private func servers(_ root: Element, _ name: String) -> [[String: String]] {
        root.child("emailProvider")!.children.filter { $0.name == name }.map { server in
            var fields = ["type": server.attributes["type"] ?? ""]
            for child in server.children { fields[child.name] = child.text }
            return fields
        }
    }

    @Test("listeners become servers: TLS only, IMAP before POP3, implicit TLS first, no port 25")
    func serverOrder() {
        let site = AutoconfigFixtures.site
        #expect(
            site.incomingServers == [
                MailServerSetting(kind: .imap, hostname: "mail.example.net", port: 993, security: .implicitTLS),
                MailServerSetting(kind: .imap, hostname: "mail.example.net", port: 143, security: .startTLS),
                MailServerSetting(kind: .pop3, hostname: "mail.example.net", port: 995, security: .implicitTLS),
            ])
        #expect(site.outgoingServers.map(\.port) == [465, 587])
    }

    @Test("Thunderbird clientConfig 1.1: provider, domain, servers in the documented elements")
    func thunderbird() throws {
        let root = try parse(ThunderbirdAutoconfig.render(domain: "example.org", site: AutoconfigFixtures.site))
        #expect(root.name == "clientConfig" && root.attributes == ["version": "1.1"])
        let provider = try #require(root.child("emailProvider"))
        #expect(provider.attributes["id"] == "example.org")
        #expect(provider.child("domain")?.text == "example.org")
        #expect(provider.child("displayName")?.text == "Example <Mail> & \"Co\"")
        let fields = ["hostname": "mail.example.net", "username": "%EMAILADDRESS%", "authentication": "password-cleartext"]
        #expect(
            servers(root, "incomingServer") == [
                fields.merging(["type": "imap", "port": "993", "socketType": "SSL"]) { $1 },
                fields.merging(["type": "imap", "port": "143", "socketType": "STARTTLS"]) { $1 },
                fields.merging(["type": "pop3", "port": "995", "socketType": "SSL"]) { $1 },
            ])
        #expect(
            servers(root, "outgoingServer") == [
                fields.merging(["type": "smtp", "port": "465", "socketType": "SSL"]) { $1 },
                fields.merging(["type": "smtp", "port": "587", "socketType": "STARTTLS"]) { $1 },
            ])
        // The element order the format documents: domain, displayName, displayShortName, servers.
        #expect(
            provider.children.map(\.name).prefix(3) == ["domain", "displayName", "displayShortName"])
    }

    @Test("markup in any announced value is escaped, control characters replaced")
    func escaping() throws {
        let hostile = AutoconfigSite(
            hostname: "x\"><script>alert(1)</script>", endpoints: [("imaps", 993, "implicit"), ("submissions", 465, "implicit")],
            displayName: "a]]>b&c\u{1}d")
        let text = try #require(ThunderbirdAutoconfig.render(domain: "d'\"<>&.example", site: hostile))
        #expect(!text.contains("<script>"))
        let root = try parse(text)
        #expect(root.child("emailProvider")?.attributes["id"] == "d'\"<>&.example")
        #expect(root.child("emailProvider")?.child("displayName")?.text == "a]]>b&c\u{FFFD}d")
        #expect(servers(root, "incomingServer").first?["hostname"] == "x\"><script>alert(1)</script>")
        #expect(XMLEscaping.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;")
    }

    @Test("no incoming or no outgoing server: no document")
    func incomplete() {
        let noSubmission = AutoconfigSite(hostname: "h.example", endpoints: [("imaps", 993, "implicit")])
        let plainOnly = AutoconfigSite(hostname: "h.example", endpoints: [("imap", 143, "none"), ("submission", 587, "none")])
        #expect(ThunderbirdAutoconfig.render(domain: "example.org", site: noSubmission) == nil)
        #expect(ThunderbirdAutoconfig.render(domain: "example.org", site: plainOnly) == nil)
        let request = AutodiscoverRequest(emailAddress: MailAddress(localPart: "a", domain: "example.org"))
        #expect(AutodiscoverResponse.render(request, site: noSubmission) == nil)
    }

    @Test("Outlook POX response: one Protocol per type, the best of each, login with the address")
    func autodiscover() throws {
        let request = AutodiscoverRequest(emailAddress: try MailAddress(parsing: "Jo.Doe@example.org"))
        let root = try parse(AutodiscoverResponse.render(request, site: AutoconfigFixtures.site))
        #expect(root.name == "Autodiscover")
        #expect(root.attributes["xmlns"] == "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006")
        let response = try #require(root.child("Response"))
        #expect(response.attributes["xmlns"] == AutodiscoverRequest.outlookResponseSchema)
        let account = try #require(response.child("Account"))
        #expect(account.child("AccountType")?.text == "email" && account.child("Action")?.text == "settings")
        let protocols = account.children.filter { $0.name == "Protocol" }.map { p in
            [
                p.child("Type")!.text, p.child("Server")!.text, p.child("Port")!.text, p.child("LoginName")!.text,
                p.child("SSL")!.text,
                p.child("Encryption")!.text,
            ]
        }
        #expect(
            protocols == [
                ["IMAP", "mail.example.net", "993", "Jo.Doe@example.org", "on", "SSL"],
                ["POP3", "mail.example.net", "995", "Jo.Doe@example.org", "on", "SSL"],
                ["SMTP", "mail.example.net", "465", "Jo.Doe@example.org", "on", "SSL"],
            ])
        let startTLS = try parse(AutodiscoverResponse.render(request, site: AutoconfigFixtures.startTLSSite))
        let encryption = startTLS.child("Response")?.child("Account")?.children.compactMap { $0.child("Encryption")?.text }
        #expect(encryption == ["TLS", "TLS"])
    }

    @Test("Apple profile: a com.apple.mail.managed payload for the address, no password, stable UUIDs")
    func mobileConfig() throws {
        let address = try MailAddress(parsing: "jo@example.org")
        let text = try #require(
            MobileConfigProfile.render(address: address, displayName: "Jo <Doe>", site: AutoconfigFixtures.site))
        #expect(AutoconfigFixtures.isWellFormed(text))
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC"))
        // The plist's DOCTYPE is the one part StrictXMLReader refuses; read the rest.
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("<!DOCTYPE") }.joined(separator: "\n")
        let root = try StrictXMLReader.parse(Array(body.utf8))
        #expect(root.name == "plist")
        let top = try dictionary(#require(root.child("dict")))
        #expect(top["PayloadType"] == "Configuration" && top["PayloadVersion"] == "1")
        let content = try #require(root.child("dict")?.child("array")?.child("dict"))
        let mail = try dictionary(content)
        #expect(mail["PayloadType"] == "com.apple.mail.managed")
        #expect(mail["EmailAddress"] == "jo@example.org" && mail["EmailAccountName"] == "Jo <Doe>")
        #expect(mail["EmailAccountType"] == "EmailTypeIMAP")
        #expect(mail["IncomingMailServerHostName"] == "mail.example.net" && mail["IncomingMailServerPortNumber"] == "993")
        #expect(mail["IncomingMailServerUseSSL"] == "true" && mail["IncomingMailServerUsername"] == "jo@example.org")
        #expect(mail["OutgoingMailServerHostName"] == "mail.example.net" && mail["OutgoingMailServerPortNumber"] == "465")
        #expect(mail["OutgoingMailServerUseSSL"] == "true" && mail["OutgoingPasswordSameAsIncomingPassword"] == "true")
        #expect(!mail.keys.contains { $0.contains("Password") && $0 != "OutgoingPasswordSameAsIncomingPassword" })
        // Name-based UUIDs: the same address gives the same profile, another address another one.
        #expect(mail["PayloadUUID"] != top["PayloadUUID"])
        let again = MobileConfigProfile.render(address: address, displayName: "Jo <Doe>", site: AutoconfigFixtures.site)
        #expect(again == text)
        let other = try #require(
            MobileConfigProfile.render(
                address: MailAddress(parsing: "al@example.org"), displayName: nil, site: AutoconfigFixtures.site))
        #expect(!other.contains(top["PayloadUUID"]!) && !other.contains("EmailAccountName"))
        #expect(MobileConfigProfile.fileName(for: address) == "example.org.mobileconfig")
    }

    @Test("RFC 9562 §5.5 name-based UUID (version 5) in the URL namespace")
    func uuidVersion5() {
        // Python's uuid.uuid5(uuid.NAMESPACE_URL, "www.example.com"), upper-cased.
        #expect(MobileConfigProfile.nameBasedUUID("www.example.com") == "B63CDFA4-3DF9-568E-97AE-006C5B8FD652")
    }

    private func dictionary(_ dict: Element) throws -> [String: String] {
        var out: [String: String] = [:]
        var key: String?
        for child in dict.children {
            if child.name == "key" {
                key = child.text
            } else if let current = key {
                out[current] = child.name == "true" || child.name == "false" ? child.name : child.text
                key = nil
            }
        }
        return out
    }
}
