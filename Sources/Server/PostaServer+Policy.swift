import Core
import DNS
import Logging
import MailAuth
import Policy

extension PostaServer {
    /// The site's policy engine: definitions and state in the site database, SPF through the
    /// configured (or the system's) DNS servers; without a resolver SPF rules have no effect.
    static func policyEngine(_ site: Site, logger: Logger) -> PolicyEngine {
        var spf: SPFChecker?
        do {
            let configuration = try site.config.resolverConfiguration()
            spf = SPFChecker(dns: DNSResolver(configuration: configuration, logger: logger), logger: logger)
        } catch {
            logger.error("no DNS resolver: SPF policy rules have no effect", metadata: ["error": "\(error)"])
        }
        let context = PolicyContext(database: site.database, hostname: site.config.hostname, spf: spf, logger: logger)
        return PolicyEngine(catalog: PolicyCatalog(store: PolicyStore(database: site.database)), context: context)
    }
}
