import Core
import Foundation
import Web

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A site with every kind of client listener, answering for example.org only.
enum AutoconfigFixtures {
    static let site = AutoconfigSite(
        hostname: "mail.example.net",
        endpoints: [
            ("smtp", 25, "starttls"), ("imap", 143, "starttls"), ("imaps", 993, "implicit"), ("pop3s", 995, "implicit"),
            ("submission", 587, "starttls"), ("submissions", 465, "implicit"), ("pop3", 110, "none"), ("http", 443, "implicit"),
        ],
        displayName: "Example <Mail> & \"Co\"",
        isLocalDomain: { $0 == "example.org" })

    /// Only STARTTLS listeners.
    static let startTLSSite = AutoconfigSite(
        hostname: "mx.example.org", endpoints: [("imap", 143, "starttls"), ("submission", 587, "starttls")],
        isLocalDomain: { $0 == "example.org" })

    /// Whether an independent parser (libxml2 through Foundation) reads `text` as well-formed XML.
    static func isWellFormed(_ text: String) -> Bool {
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        return parser.parse()
    }
}
