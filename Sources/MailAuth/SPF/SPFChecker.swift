import DNS
import Logging

/// Runs SPF checks (RFC 7208) against a DNS. Safe to share between tasks.
public struct SPFChecker: Sendable {
    public let dns: any SPFDNS
    public var configuration: SPFConfiguration
    public var logger: Logger

    public init(
        dns: any SPFDNS, configuration: SPFConfiguration = SPFConfiguration(),
        logger: Logger = Logger(label: "posta.spf")
    ) {
        self.dns = dns
        self.configuration = configuration
        self.logger = logger
    }

    /// check_host(<ip>, <domain>, <sender>) (§4.1); `helo` is only the value of the `h` macro.
    public func checkHost(ip: IPAddress, domain: String, sender: String, helo: String) async -> SPFOutcome {
        let evaluation = SPFEvaluation(
            dns: dns, configuration: configuration, ip: ip, sender: SPFSender(sender), helo: helo)
        let name = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
        let outcome: SPFOutcome
        do {
            let evaluated = try await evaluation.checkHost(name)
            outcome = SPFOutcome(
                result: evaluated.result, mechanism: evaluated.mechanism, explanation: evaluated.explanation,
                problem: evaluated.problem)
        } catch {
            switch error {
            case .temperror(let problem): outcome = SPFOutcome(result: .temperror, problem: problem)
            case .permerror(let problem): outcome = SPFOutcome(result: .permerror, problem: problem)
            }
        }
        logger.debug(
            "SPF check_host",
            metadata: [
                "ip": "\(ip)", "domain": "\(domain)", "sender": "\(sender)", "result": "\(outcome.result)",
                "mechanism": "\(outcome.mechanism ?? "-")", "problem": "\(outcome.problem ?? "-")",
            ])
        return outcome
    }

    /// The MAIL FROM identity (§2.4): the reverse-path's domain, or for the null reverse-path
    /// `postmaster@` the HELO name. `reversePath` is the address without angle brackets.
    public func checkMailFrom(ip: IPAddress, reversePath: String, helo: String) async -> SPFVerdict {
        let sender = reversePath.isEmpty ? "postmaster@" + helo : reversePath
        let domain = SPFSender(sender).domain
        let outcome = await checkHost(ip: ip, domain: domain, sender: sender, helo: helo)
        return SPFVerdict(
            identity: .mailfrom, clientIP: ip, sender: SPFSender(sender).address, envelopeFrom: reversePath,
            domain: domain, helo: helo, outcome: outcome)
    }

    /// The HELO identity (§2.3): check_host() with the HELO name as <domain> and
    /// `postmaster@<helo>` as <sender>; an address literal or a name that is not fully
    /// qualified gives `none` (§4.3).
    public func checkHELO(ip: IPAddress, helo: String) async -> SPFVerdict {
        let sender = "postmaster@" + helo
        let outcome = await checkHost(ip: ip, domain: helo, sender: sender, helo: helo)
        return SPFVerdict(
            identity: .helo, clientIP: ip, sender: sender, envelopeFrom: nil, domain: helo, helo: helo,
            outcome: outcome)
    }
}
