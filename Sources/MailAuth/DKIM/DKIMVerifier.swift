import Logging

/// Checks the DKIM signatures of whole messages (RFC 6376 §6) against a DNS. Safe to share
/// between tasks. For a message that streams by, use `DKIMVerification` directly.
public struct DKIMVerifier: Sendable {
    public let dns: any DKIMDNS
    public var configuration: DKIMVerifierConfiguration
    public var logger: Logger

    /// Body octets canonicalized at a time, which bounds the verifier's working buffer.
    static let chunkSize = 64 * 1024

    public init(
        dns: any DKIMDNS, configuration: DKIMVerifierConfiguration = DKIMVerifierConfiguration(),
        logger: Logger = Logger(label: "posta.dkim")
    ) {
        self.dns = dns
        self.configuration = configuration
        self.logger = logger
    }

    /// The body of `message` in chunks of `chunkSize`, to `update`.
    static func feedBody(of message: [UInt8], header: DKIMMessageHeader, _ update: (ArraySlice<UInt8>) -> Void) {
        var offset = header.bodyOffset
        while offset < message.count {
            let end = min(offset + chunkSize, message.count)
            update(message[offset..<end])
            offset = end
        }
    }

    /// One result per `DKIM-Signature` field of `message` (CRLF line ends), top to bottom; an
    /// empty list when there is none. `now` is the time in seconds since 1970 (for `x=`).
    public func verify(message: [UInt8], now: Int64) async -> [DKIMSignatureResult] {
        let header = DKIMMessageHeader(parsing: message)
        var verification = DKIMVerification(header: header, configuration: configuration)
        if verification.isSigned {
            Self.feedBody(of: message, header: header) { verification.update(body: $0) }
        }
        let results = await verification.finish(dns: dns, now: now)
        for result in results {
            logger.debug(
                "DKIM signature checked",
                metadata: [
                    "result": "\(result.result)", "domain": "\(result.domain ?? "-")", "selector": "\(result.selector ?? "-")",
                    "reason": "\(result.reason ?? "-")",
                ])
        }
        return results
    }
}
