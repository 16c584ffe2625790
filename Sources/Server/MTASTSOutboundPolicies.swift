import Core
import Logging
import MailAuth
import NIOConcurrencyHelpers
import SMTP

/// Outbound delivery's TLS policies from MTA-STS (RFC 8461) and the TLS-RPT record of outcomes
/// (RFC 8460): the `OutboundTLSPolicySource` the Server module gives `OutboundDelivery`.
struct MTASTSOutboundPolicies: OutboundTLSPolicySource {
    /// nil: MTA-STS is not applied (`[mta_sts] outbound = false`), outcomes are still recorded.
    let resolver: MTASTSPolicyResolver?
    /// nil: outcomes are not recorded (`record_tls_reports = false`).
    let sessions: TLSRPTSessionStore?
    let logger: Logger

    func policy(for domain: String) async -> OutboundDomainTLSPolicy? {
        guard let resolver else { return nil }
        let lookup = await resolver.lookup(domain)
        if let failure = lookup.failure {
            logger.notice("MTA-STS policy not refreshed", metadata: ["domain": "\(domain)", "error": "\(failure)"])
            let type: TLSRPTResultType
            switch failure {
            case .fetchError: type = .stsPolicyFetchError
            case .invalid: type = .stsPolicyInvalid
            }
            await store(
                TLSRPTSession(
                    policy: lookup.active.map { Self.reportPolicy($0) } ?? .init(policyType: .sts, policyDomain: domain),
                    failure: type, detail: failure.description))
        }
        guard let active = lookup.active else { return nil }
        let policy = active.policy
        return OutboundDomainTLSPolicy(
            mode: policy.mode == .enforce ? .enforce : .testing, name: "MTA-STS", policyStrings: policy.lines,
            mxPatterns: policy.mx.map(\.description), permits: { policy.allows(mxHost: $0) })
    }

    func record(
        domain: String, policy: OutboundDomainTLSPolicy?, host: String, address: String?, result: OutboundTLSResult,
        detail: String?
    ) async {
        let reported: TLSRPTReport.Policy =
            policy.map {
                TLSRPTReport.Policy(policyType: .sts, policyString: $0.policyStrings, policyDomain: domain, mxHost: $0.mxPatterns)
            } ?? TLSRPTReport.Policy(policyType: .noPolicyFound, policyDomain: domain)
        if result != .success {
            logger.notice(
                "outbound TLS failure",
                metadata: [
                    "domain": "\(domain)", "host": "\(host)", "result": "\(result.rawValue)",
                    "policy": "\(policy?.name ?? "none")",
                ])
        }
        await store(
            TLSRPTSession(
                policy: reported, failure: TLSRPTResultType(rawValue: result.rawValue), receivingMX: host, receivingIP: address,
                detail: detail))
    }

    private func store(_ session: TLSRPTSession) async {
        guard let sessions else { return }
        do {
            try await sessions.record(session, at: UnixTime.now())
        } catch {
            logger.warning("TLS report counts not stored", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    static func reportPolicy(_ cached: MTASTSCachedPolicy) -> TLSRPTReport.Policy {
        TLSRPTReport.Policy(
            policyType: .sts, policyString: cached.policy.lines, policyDomain: cached.domain,
            mxHost: cached.policy.mx.map(\.description))
    }
}

/// A fetcher that does not retry a domain whose fetch failed less than `pause` ago, so a domain
/// with a broken policy host costs one fetch per pause, not one per message.
final class ThrottledMTASTSFetcher: MTASTSPolicyFetcher {
    let fetcher: any MTASTSPolicyFetcher
    let pause: Int64
    private let failures = NIOLockedValueBox([String: Int64]())

    init(_ fetcher: any MTASTSPolicyFetcher, pause: Int64 = 300) {
        self.fetcher = fetcher
        self.pause = pause
    }

    func fetchPolicy(domain: String) async throws -> [UInt8] {
        let now = UnixTime.now()
        if let last = failures.withLockedValue({ $0[domain] }), now - last < pause {
            throw MTASTSFetchError("the last fetch failed less than \(pause) s ago")
        }
        do {
            let body = try await fetcher.fetchPolicy(domain: domain)
            failures.withLockedValue { $0[domain] = nil }
            return body
        } catch {
            failures.withLockedValue {
                if $0.count > 10_000 { $0.removeAll() }
                $0[domain] = now
            }
            throw error
        }
    }
}
