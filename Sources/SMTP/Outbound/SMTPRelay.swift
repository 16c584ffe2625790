/// A smarthost: all mail for other domains goes to this one host instead of the domains' MX
/// hosts (RFC 5321 §3.6.1 relaying), logging in when credentials are set (then STARTTLS is required).
public struct SMTPRelay: Sendable, Hashable {
    /// A host name or an IP address.
    public var host: String
    public var port: Int
    public var credentials: SMTPClientCredentials?

    public init(host: String, port: Int, credentials: SMTPClientCredentials? = nil) {
        self.host = host
        self.port = port
        self.credentials = credentials
    }
}
