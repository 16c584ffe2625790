import Admin
import Core
import Web

extension PostaServer {
    /// The admin console, the API and autoconfiguration over this server's site and logins (the
    /// console's logins share the mail protocols' throttle and login log).
    func makeWebFrontEnds() -> WebFrontEnds {
        let config = site.config
        let console = AdminConsole(
            database: site.database, directory: site.directory, store: site.store, queue: site.queue,
            authenticator: authenticator, settings: AdminSettings(), logger: logger)
        let clientProtocols: Set<ListenerProtocol> = [.submission, .submissions, .imap, .imaps, .pop3, .pop3s]
        let endpoints = config.listeners.filter { clientProtocols.contains($0.protocol) }.map {
            (protocolName: $0.protocol.rawValue, port: $0.port, tls: $0.tls.rawValue)
        }
        return WebFrontEnds(
            console: console, autoconfig: AutoconfigSite(hostname: config.hostname, endpoints: endpoints),
            hostname: config.hostname, httpsPort: WebFrontEnds.httpsPort(of: config.listeners))
    }
}
