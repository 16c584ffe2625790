// CONTRACT (temporary): how Server mounts the web front ends on its HTTP router. Each helper
// replaces its function with the real one in its own file (Console/, API/, Autoconfig/) and
// deletes its part here.
import Admin
import Hummingbird
import Logging

public enum WebRoutes {
    /// The admin console and self-service pages under `/admin` (HTML, served on HTTPS only).
    public static func addConsole(to router: Router<WebRequestContext>, console: AdminConsole, logger: Logger) {}
    /// Thunderbird autoconfig, Outlook autodiscover (`AutoconfigSite` says which hosts and ports to announce).
    public static func addAutoconfig(to router: Router<WebRequestContext>, site: AutoconfigSite, logger: Logger) {}
}

/// What client autoconfiguration announces: the site's public host name and the listeners a
/// mail client should use. Built by Server from the configuration.
public struct AutoconfigSite: Sendable {
    public var hostname: String
    /// (protocol, port, tls: "implicit" | "starttls") of each client-facing listener.
    public var endpoints: [(protocolName: String, port: Int, tls: String)]
    public init(hostname: String, endpoints: [(protocolName: String, port: Int, tls: String)]) {
        self.hostname = hostname
        self.endpoints = endpoints
    }
}
