/// One server a mail client is told to use, in the terms the autoconfiguration formats share.
public struct MailServerSetting: Sendable, Hashable {
    /// The protocol the client speaks there.
    public enum Kind: String, Sendable, Hashable {
        case imap, pop3
        /// Message submission (RFC 6409).
        case smtp
    }

    /// How the connection is secured; plain text is never announced.
    public enum Security: Sendable, Hashable {
        /// TLS from the first byte (RFC 8314 §3).
        case implicitTLS
        /// Plain text upgraded with STARTTLS/STLS before login.
        case startTLS
    }

    public var kind: Kind
    public var hostname: String
    public var port: Int
    public var security: Security

    public init(kind: Kind, hostname: String, port: Int, security: Security) {
        self.kind = kind
        self.hostname = hostname
        self.port = port
        self.security = security
    }

    /// The setting of a listener (`ListenerProtocol` name, port, `TLSMode` name); nil for one a mail
    /// client does not use (smtp on port 25, lmtp, http, policy) or one without TLS.
    public init?(protocolName: String, port: Int, tls: String, hostname: String) {
        switch protocolName {
        case "imap", "imaps": kind = .imap
        case "pop3", "pop3s": kind = .pop3
        case "submission", "submissions": kind = .smtp
        default: return nil
        }
        switch tls {
        case "implicit": security = .implicitTLS
        case "starttls": security = .startTLS
        default: return nil
        }
        guard (1...65535).contains(port) else { return nil }
        self.port = port
        self.hostname = hostname
    }
}
