/// Thunderbird's autoconfiguration document (clientConfig version 1.1, as documented in
/// Thunderbird's "Autoconfiguration" wiki page and its config-v1.1 format description): the
/// servers a new account of `domain` uses. Pure: same site and domain, same bytes.
public enum ThunderbirdAutoconfig {
    /// The MIME type Thunderbird accepts.
    public static let contentType = "application/xml; charset=utf-8"

    /// The document for addresses at `domain` (lower-cased, already checked to be local), or nil
    /// when the site announces no incoming or no outgoing server (a client could not finish).
    ///
    /// Each server says `username` `%EMAILADDRESS%` (Posta logs in with the whole address) and
    /// `authentication` `password-cleartext` (PLAIN/LOGIN, over TLS only: plain-text listeners are
    /// never announced).
    public static func render(domain: String, site: AutoconfigSite) -> String? {
        let incoming = site.incomingServers
        let outgoing = site.outgoingServers
        guard !incoming.isEmpty, !outgoing.isEmpty else { return nil }
        var xml = XMLWriter()
        xml.start("clientConfig", [("version", "1.1")])
        xml.start("emailProvider", [("id", domain)])
        xml.element("domain", domain)
        xml.element("displayName", site.displayName)
        xml.element("displayShortName", site.displayName)
        for server in incoming { write(server, as: "incomingServer", to: &xml) }
        for server in outgoing { write(server, as: "outgoingServer", to: &xml) }
        xml.close()
        xml.close()
        return xml.text
    }

    private static func write(_ server: MailServerSetting, as element: String, to xml: inout XMLWriter) {
        xml.start(element, [("type", server.kind.rawValue)])
        xml.element("hostname", server.hostname)
        xml.element("port", String(server.port))
        xml.element("socketType", server.security == .implicitTLS ? "SSL" : "STARTTLS")
        xml.element("username", "%EMAILADDRESS%")
        xml.element("authentication", "password-cleartext")
        xml.close()
    }
}
