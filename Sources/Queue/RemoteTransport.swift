import Core

/// A queued message as it leaves for another domain.
public struct OutboundMessage: Sendable {
    public var id: String
    /// "" is the null reverse-path.
    public var reversePath: String
    /// The spool file: the message as received, with Posta's Received: header on top.
    public var spoolPath: String
    /// Header fields Posta added after receiving (spam verdict, policy results), CRLF-terminated
    /// lines sent before the spool file's first line; "" for none.
    public var headers: String = ""
    /// The size of the spool file (the header fields above come on top).
    public var size: Int64
    public var body: MessageBodyType
    public var smtpUTF8: Bool
    public var dsnRet: DSNReturn?
    public var dsnEnvID: String?
    /// RFC 8689 REQUIRETLS: only over TLS to an MX authenticated by DANE (or MTA-STS) that offers
    /// REQUIRETLS; otherwise the message bounces with 5.7.10.
    public var requireTLS = false

    public init(
        id: String, reversePath: String, spoolPath: String, headers: String = "", size: Int64, body: MessageBodyType,
        smtpUTF8: Bool, dsnRet: DSNReturn? = nil, dsnEnvID: String? = nil, requireTLS: Bool = false
    ) {
        self.id = id
        self.reversePath = reversePath
        self.spoolPath = spoolPath
        self.headers = headers
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.dsnRet = dsnRet
        self.dsnEnvID = dsnEnvID
        self.requireTLS = requireTLS
    }
}

/// One recipient of an outbound delivery attempt.
public struct OutboundTarget: Sendable {
    public var rowID: Int64
    public var address: String
    public var notify: DSNNotify?
    public var orcpt: DSNOriginalRecipient?

    public init(rowID: Int64, address: String, notify: DSNNotify? = nil, orcpt: DSNOriginalRecipient? = nil) {
        self.rowID = rowID
        self.address = address
        self.notify = notify
        self.orcpt = orcpt
    }
}

/// Delivers to other domains (the SMTP module's outbound client implements it, so that the
/// queue does not depend on a protocol module).
public protocol RemoteTransport: Sendable {
    /// Delivers `message` to `targets`, all in `domain`; returns each row's outcome.
    func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome]
    /// Where mail for `domain` goes, as the key of the per-destination concurrency limit.
    func destination(for domain: String) -> String
}

extension RemoteTransport {
    public func destination(for domain: String) -> String { domain }
}
