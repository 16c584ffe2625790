/// Validates the ARC chains of whole messages (RFC 8617 §5.2) against a DNS. Safe to share
/// between tasks. For a message that streams by, use `ARCVerification` directly.
public struct ARCVerifier: Sendable {
    public let dns: any DKIMDNS
    public var configuration: DKIMVerifierConfiguration

    public init(dns: any DKIMDNS, configuration: DKIMVerifierConfiguration = DKIMVerifierConfiguration()) {
        self.dns = dns
        self.configuration = configuration
    }

    /// The chain of `message` (CRLF line ends); `now` in seconds since 1970.
    public func verify(message: [UInt8], now: Int64) async -> ARCResult {
        let header = DKIMMessageHeader(parsing: message)
        var verification = ARCVerification(header: header, configuration: configuration)
        if verification.needsBody {
            DKIMVerifier.feedBody(of: message, header: header) { verification.update(body: $0) }
        }
        return await verification.finish(dns: dns, now: now)
    }
}
