import DNS
import Logging
import MIME

/// Authenticates received messages: SPF of the MAIL FROM identity (RFC 7208), every DKIM
/// signature (RFC 6376), the ARC chain (RFC 8617), then DMARC over them (RFC 9989), all through
/// one resolver. Safe to share.
public struct MessageAuthenticator: Sendable {
    public var spf: SPFChecker
    public var dkim: DKIMVerifier
    public var arc: ARCVerifier
    public var dmarc: DMARCChecker
    /// Sealers whose passing ARC chain the site trusts (RFC 8617 §7.2): mail whose newest
    /// ARC-Seal has one of these domains (or a name below one) as `d=` counts as `arcTrusted` for
    /// DMARC, which then applies `DMARCLocalPolicy.trustedARCDisposition` (`trusted_forwarder`).
    public var trustedARCSealers: [String]

    public init(
        spf: SPFChecker, dkim: DKIMVerifier, dmarc: DMARCChecker, arc: ARCVerifier? = nil, trustedARCSealers: [String] = []
    ) {
        self.spf = spf
        self.dkim = dkim
        self.arc = arc ?? ARCVerifier(dns: dkim.dns, configuration: dkim.configuration)
        self.dmarc = dmarc
        self.trustedARCSealers = trustedARCSealers
    }

    /// Everything through `resolver`, with the default limits and the site's local DMARC policy.
    public init(
        resolver: DNSResolver, logger: Logger, localPolicy: DMARCLocalPolicy = DMARCLocalPolicy(),
        trustedARCSealers: [String] = []
    ) {
        self.init(
            spf: SPFChecker(dns: resolver, logger: logger), dkim: DKIMVerifier(dns: resolver, logger: logger),
            dmarc: DMARCChecker(dns: resolver, localPolicy: localPolicy), trustedARCSealers: trustedARCSealers)
    }

    /// `message` with CRLF line ends; `reversePath` empty for the null reverse-path; `now` in
    /// seconds since 1970.
    public func authenticate(
        clientIP: IPAddress, helo: String, reversePath: String, message: [UInt8], now: Int64
    ) async -> MessageAuthentication {
        async let spfVerdict =
            reversePath.isEmpty
            ? spf.checkHELO(ip: clientIP, helo: helo) : spf.checkMailFrom(ip: clientIP, reversePath: reversePath, helo: helo)
        async let signatures = dkim.verify(message: message, now: now)
        async let chain = arc.verify(message: message, now: now)
        let (verdict, results, arcResult) = await (spfVerdict, signatures, chain)
        let (spfInput, dkimInputs) = MessageAuthentication.dmarcInputs(spf: verdict, dkim: results)
        let sealerTrusted = arcResult.sealer.map { isTrusted(sealer: $0) } ?? false
        let input = DMARCMessage(
            fromDomains: Self.fromDomains(message), spf: spfInput, dkim: dkimInputs,
            arcTrusted: sealerTrusted && arcResult.status == .pass, clientIP: clientIP.description)
        let evaluation = await dmarc.evaluate(input)
        return MessageAuthentication(
            spf: verdict, dkim: results, arc: arcResult, arcSealerTrusted: sealerTrusted, dmarc: evaluation,
            dmarcMessage: input)
    }

    /// Whether `sealer` is one of `trustedARCSealers` or a name below one.
    public func isTrusted(sealer: String) -> Bool {
        guard let sealer = DMARCDomain(sealer) else { return false }
        return trustedARCSealers.contains { DMARCDomain($0).map(sealer.isSameOrSubdomain(of:)) ?? false }
    }

    /// The domains of the RFC5322.From addresses (RFC 9989 §5.3.1); none when the header cannot be
    /// read without guessing (DMARC then says permerror).
    public static func fromDomains(_ message: [UInt8]) -> [String] {
        guard let senders = try? Header.senderAddresses(inMessagePrefix: message, limits: .default) else { return [] }
        return senders.filter { $0.field.lowercased() == "from" }.compactMap { sender in
            sender.address.lastIndex(of: "@").map { String(sender.address[sender.address.index(after: $0)...]) }
        }
    }
}
