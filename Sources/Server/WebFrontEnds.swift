import Admin
import Core
import DNS
import Web
import Webmail

/// What the HTTP listeners serve besides health, metrics and MTA-STS: the admin console and
/// self-service pages, the JSON API, client autoconfiguration.
public struct WebFrontEnds: Sendable {
    public let console: AdminConsole
    public let autoconfig: AutoconfigSite
    /// The site's host name (redirects when a request has no usable Host).
    public let hostname: String
    /// The first HTTPS listener's port; nil when the site has none.
    public let httpsPort: Int?
    /// The webmail at `/mail`; nil: not served.
    public let webmail: Webmail?
    /// How the webmail sends (the submission pipeline); nil: it saves drafts only.
    public let webmailSender: (any WebmailSending)?

    public init(
        console: AdminConsole, autoconfig: AutoconfigSite, hostname: String, httpsPort: Int?, webmail: Webmail? = nil,
        webmailSender: (any WebmailSending)? = nil
    ) {
        self.console = console
        self.autoconfig = autoconfig
        self.hostname = hostname
        self.httpsPort = httpsPort
        self.webmail = webmail
        self.webmailSender = webmailSender
    }

    /// The site's first HTTPS listener (`protocol = "http"`, `tls = "implicit"`).
    static func httpsPort(of listeners: [ListenerSettings]) -> Int? {
        listeners.first { $0.protocol == .http && $0.tls == .implicit }?.port
    }

    /// Whether one HTTP listener serves the front ends, redirects them, or has none.
    enum Placement: Equatable {
        /// HTTPS; or plain HTTP on a loopback address when the site has no HTTPS listener (a
        /// development or test site: nothing crosses a network).
        case served
        /// Plain HTTP while the site has an HTTPS listener: every other path redirects there.
        case redirected(httpsPort: Int)
        /// Plain HTTP on a non-loopback address and no HTTPS listener: passwords would cross the
        /// network in clear, so the front ends are not served.
        case absent

        init(listener: ListenerSettings, httpsPort: Int?) {
            if listener.tls == .implicit {
                self = .served
            } else if let httpsPort {
                self = .redirected(httpsPort: httpsPort)
            } else if IPAddress(listener.host)?.isLoopback == true || listener.host == "localhost" {
                self = .served
            } else {
                self = .absent
            }
        }
    }
}
