import Core
import Logging
import Monitor
import Policy
import Queue
import Sieve

extension PostaServer {
    /// Users' Sieve scripts at local delivery; their redirects and vacation replies are asked of
    /// the policy engine as messages the account sends (quotas count them; a suspended account
    /// sends nothing) and limited per hour (docs/sieve.md).
    static func sieveRules(_ site: Site, policy: PolicyEngine, signer: any MessageSigner, logger: Logger) -> SieveDeliveryRules {
        let abuse = AbuseStore(database: site.database)
        let hostname = site.config.hostname
        let outbound = SieveOutbound(
            queue: site.queue, directory: site.directory, signer: signer, hostname: hostname, database: site.database,
            mayRelay: { account, recipient, size in
                if (try? await abuse.isSuspended(account: account)) ?? false { return false }
                let verdict = await policy.evaluate(
                    PolicyRequest(
                        stage: .endOfMessage, clientAddress: "127.0.0.1", clientName: hostname, helo: hostname, sender: account,
                        recipients: [recipient], saslUsername: account, size: size, instance: "sieve"))
                return ![.reject, .deferred, .hold, .discard].contains(verdict.action)
            },
            maximumRedirectsPerHour: site.config.sieve.maximumRedirectsPerHour,
            maximumRepliesPerHour: site.config.sieve.maximumRepliesPerHour, logger: logger)
        return SieveDeliveryRules(scripts: site.sieve, store: site.store, outbound: outbound, logger: logger)
    }
}
