/// Outlook's "plain old XML" autodiscover response ([MS-OXDSCLI] §2.2.4, the
/// `outlook/responseschema/2006a` schema): one `Protocol` per server type the site offers
/// (IMAP, POP3, SMTP), each the best of its kind (`AutoconfigSite.incomingServers` order).
public enum AutodiscoverResponse {
    public static let contentType = "text/xml; charset=utf-8"
    static let namespace = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"

    /// The settings for `request`'s address (whose domain is already checked to be local); nil
    /// when the site announces no incoming or no outgoing server.
    public static func render(_ request: AutodiscoverRequest, site: AutoconfigSite) -> String? {
        let incoming = site.incomingServers
        let outgoing = site.outgoingServers
        guard !incoming.isEmpty, let smtp = outgoing.first else { return nil }
        var protocols: [MailServerSetting] = []
        for kind in [MailServerSetting.Kind.imap, .pop3] {
            if let best = incoming.first(where: { $0.kind == kind }) { protocols.append(best) }
        }
        protocols.append(smtp)
        var xml = XMLWriter()
        xml.start("Autodiscover", [("xmlns", namespace)])
        xml.start("Response", [("xmlns", AutodiscoverRequest.outlookResponseSchema)])
        xml.start("Account")
        xml.element("AccountType", "email")
        xml.element("Action", "settings")
        for server in protocols {
            xml.start("Protocol")
            xml.element("Type", server.kind.rawValue.uppercased())
            xml.element("Server", server.hostname)
            xml.element("Port", String(server.port))
            xml.element("LoginName", request.emailAddress.description)
            xml.element("DomainRequired", "off")
            xml.element("SPA", "off")
            xml.element("SSL", "on")
            // [MS-OXDSCLI] Protocol/Encryption overrides SSL: "SSL" is implicit TLS, "TLS" is STARTTLS.
            xml.element("Encryption", server.security == .implicitTLS ? "SSL" : "TLS")
            xml.element("AuthRequired", "on")
            xml.close()
        }
        xml.close()
        xml.close()
        xml.close()
        return xml.text
    }
}
