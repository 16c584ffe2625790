import DNS
import Logging
import MIME

/// Authenticates received messages: SPF of the MAIL FROM identity (RFC 7208), every DKIM
/// signature (RFC 6376), then DMARC over both (RFC 9989), all through one resolver. Safe to share.
public struct MessageAuthenticator: Sendable {
    public var spf: SPFChecker
    public var dkim: DKIMVerifier
    public var dmarc: DMARCChecker

    public init(spf: SPFChecker, dkim: DKIMVerifier, dmarc: DMARCChecker) {
        self.spf = spf
        self.dkim = dkim
        self.dmarc = dmarc
    }

    /// Everything through `resolver`, with the default limits and no local DMARC overrides.
    public init(resolver: DNSResolver, logger: Logger) {
        self.init(
            spf: SPFChecker(dns: resolver, logger: logger), dkim: DKIMVerifier(dns: resolver, logger: logger),
            dmarc: DMARCChecker(dns: resolver))
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
        let (verdict, results) = await (spfVerdict, signatures)
        let (spfInput, dkimInputs) = MessageAuthentication.dmarcInputs(spf: verdict, dkim: results)
        let input = DMARCMessage(fromDomains: Self.fromDomains(message), spf: spfInput, dkim: dkimInputs)
        let evaluation = await dmarc.evaluate(input)
        return MessageAuthentication(spf: verdict, dkim: results, dmarc: evaluation, dmarcMessage: input)
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
