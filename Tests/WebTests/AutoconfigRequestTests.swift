import Core
import Testing

@testable import Web

@Suite("Autodiscover requests from anyone")
struct AutoconfigRequestTests {
    static func body(_ address: String, schema: String = AutodiscoverRequest.outlookResponseSchema) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request>
            <EMailAddress>\(address)</EMailAddress>
            <AcceptableResponseSchema>\(schema)</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """
    }

    private func parse(_ text: String) throws(AutodiscoverRequest.Failure) -> AutodiscoverRequest {
        try AutodiscoverRequest(parsing: Array(text.utf8))
    }

    @Test("Outlook's request: the address, with predefined entities and character references decoded")
    func outlookRequest() throws {
        #expect(
            try parse(Self.body("Jo.Doe@Example.ORG")).emailAddress == MailAddress(localPart: "Jo.Doe", domain: "example.org"))
        #expect(try parse(Self.body(" o&#39;brien&#x40;example.org\n")).emailAddress.description == "o'brien@example.org")
        // No XML declaration, a prefix, single quotes, an empty-element sibling, a byte order mark.
        let minimal =
            "\u{FEFF}<a:Autodiscover xmlns:a='urn:x'><a:Request><x/><a:EMailAddress>u@example.org</a:EMailAddress></a:Request></a:Autodiscover>"
        #expect(try parse(minimal).emailAddress.description == "u@example.org")
    }

    @Test(
        "DTDs, entities, comments and CDATA are refused before anything is expanded",
        arguments: [
            // Billion laughs: an internal entity bomb.
            """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <Autodiscover><Request><EMailAddress>&lol2;@example.org</EMailAddress></Request></Autodiscover>
            """,
            // XXE: an external entity.
            """
            <!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>
            """,
            "<Autodiscover><Request><EMailAddress>&x;@example.org</EMailAddress></Request></Autodiscover>",
            "<Autodiscover><!-- hi --><Request><EMailAddress>a@example.org</EMailAddress></Request></Autodiscover>",
            "<Autodiscover><Request><EMailAddress><![CDATA[a@example.org]]></EMailAddress></Request></Autodiscover>",
        ])
    func declarationsRefused(body: String) {
        let failure = try? #require(throws: AutodiscoverRequest.Failure.self) { try self.parse(body) }
        if case .unreadable(let why) = failure {
            #expect(why.contains("DOCTYPE") || why.contains("entity"))
        } else {
            Issue.record("expected unreadable, got \(String(describing: failure))")
        }
    }

    @Test(
        "malformed bodies are refused with a reason, never a crash",
        arguments: [
            "", "   ", "not xml", "<Autodiscover>", "<Autodiscover></autodiscover>", "<Autodiscover><Request></Autodiscover>",
            "<Autodiscover a=1/>", "<Autodiscover a='1' a='2'/>", "<Autodiscover/><x/>", "<Autodiscover/>trailing",
            "<Autodiscover>&#0;</Autodiscover>", "<Autodiscover>&#xD800;</Autodiscover>", "<Autodiscover>&amp</Autodiscover>",
            "<Autodiscover>]]></Autodiscover>", "<1a/>", "<Autodiscover\u{1}/>", "<?xml version='1.0'", "<Autodiscover x='<'/>",
        ])
    func malformed(body: String) {
        let failure = try? #require(throws: AutodiscoverRequest.Failure.self) { try self.parse(body) }
        guard case .unreadable = failure else {
            Issue.record("expected unreadable, got \(String(describing: failure))")
            return
        }
    }

    @Test("not UTF-8, too large, too deep, too many elements")
    func bounds() {
        #expect(throws: AutodiscoverRequest.Failure.unreadable("not UTF-8")) {
            try AutodiscoverRequest(parsing: [0x3C, 0x61, 0xFF, 0x2F, 0x3E])
        }
        let huge = "<Autodiscover>" + String(repeating: " ", count: AutodiscoverRequest.maxBodySize) + "</Autodiscover>"
        #expect(throws: AutodiscoverRequest.Failure.unreadable("larger than 16384 bytes")) { try self.parse(huge) }
        let deep = String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500)
        #expect(throws: AutodiscoverRequest.Failure.unreadable("nested too deeply")) { try self.parse(deep) }
        let wide = "<Autodiscover>" + String(repeating: "<a/>", count: 100) + "</Autodiscover>"
        #expect(throws: AutodiscoverRequest.Failure.unreadable("too many elements")) { try self.parse(wide) }
    }

    @Test("well-formed but not a usable request")
    func unusable() {
        #expect(throws: AutodiscoverRequest.Failure.notAnAutodiscoverRequest) { try self.parse("<Other><Request/></Other>") }
        #expect(throws: AutodiscoverRequest.Failure.notAnAutodiscoverRequest) { try self.parse("<Autodiscover/>") }
        #expect(throws: AutodiscoverRequest.Failure.missingEmailAddress) {
            try self.parse("<Autodiscover><Request></Request></Autodiscover>")
        }
        #expect(throws: AutodiscoverRequest.Failure.badEmailAddress) { try self.parse(Self.body("no-at-sign")) }
        #expect(throws: AutodiscoverRequest.Failure.badEmailAddress) { try self.parse(Self.body("a@b@c")) }
        #expect(throws: AutodiscoverRequest.Failure.unsupportedResponseSchema) {
            try self.parse(
                Self.body(
                    "a@example.org", schema: "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"))
        }
    }

    @Test("Thunderbird lookups: the domain from emailaddress, else from the host")
    func lookupDomain() {
        #expect(AutoconfigLookup.candidateDomains(emailAddress: "New.User@Example.ORG", host: "x.example") == ["example.org"])
        #expect(AutoconfigLookup.candidateDomains(emailAddress: "not an address", host: "example.org").isEmpty)
        #expect(
            AutoconfigLookup.candidateDomains(emailAddress: nil, host: "autoconfig.Example.org:8443")
                == ["example.org", "autoconfig.example.org"])
        #expect(AutoconfigLookup.candidateDomains(emailAddress: nil, host: "example.org.") == ["example.org"])
        #expect(AutoconfigLookup.candidateDomains(emailAddress: nil, host: "[::1]:443").isEmpty)
        #expect(AutoconfigLookup.candidateDomains(emailAddress: nil, host: "bad_host").isEmpty)
        #expect(AutoconfigLookup.candidateDomains(emailAddress: nil, host: nil).isEmpty)
    }
}
