import Core
import DNS
import Lists
import Logging
import MailAuth

extension Site {
    /// The lists and their members.
    public var lists: MailingLists { MailingLists(database: database) }

    /// The list transport: the queue runner's for `.list` deliveries, and the CLI's for held
    /// posts a moderator approves. Copies are signed with the list domain's DKIM keys; the
    /// author's DMARC policy is looked up through the site's resolver (without one, every post
    /// of a list with DMARC mitigation is mitigated).
    public func listTransport(logger: Logger) -> ListTransport {
        let settings = ListDeliverySettings(
            webBase: ListDeliverySettings.webBase(
                hostname: config.hostname, httpsPort: WebFrontEnds.httpsPort(of: config.listeners)),
            hostname: config.hostname, heldDirectory: config.dataDirectory + "/lists/held")
        var policy: (any AuthorPolicyLookup)? = nil
        do {
            policy = DMARCAuthorPolicy(dns: DNSResolver(configuration: try config.resolverConfiguration(), logger: logger))
        } catch {
            logger.error("no DNS resolver: every list post is DMARC-mitigated", metadata: ["error": "\(error)"])
            policy = AlwaysStrict()
        }
        return ListTransport(
            lists: lists, directory: directory, queue: queue, settings: settings,
            signer: DKIMMessageSigner(keys: DKIMKeyStore(database: database)), authorPolicy: policy, logger: logger)
    }
}

/// Without DNS, every author domain is taken as strict (mitigating costs the author's From, not
/// the post's delivery).
private struct AlwaysStrict: AuthorPolicyLookup {
    func isStrict(authorDomain: String) async -> Bool { true }
}
