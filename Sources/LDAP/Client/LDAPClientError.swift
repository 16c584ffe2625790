/// Why an LDAP request did not get an answer, or got one the caller cannot use.
public enum LDAPClientError: Error, Sendable, CustomStringConvertible {
    /// No server in the list could be reached (or bound to); `reason` is the last failure.
    case unavailable(String)
    /// The request got no answer in time; the connection was closed.
    case timeout
    /// The connection closed before the answer came (or the server sent a Notice of
    /// Disconnection, RFC 4511 §4.4.1).
    case connectionClosed
    /// The server broke the protocol (an answer of the wrong kind, a malformed PDU).
    case protocolError(String)
    /// A search returned more entries or references than the client accepts.
    case tooManyResults(Int)
    /// TLS could not be set up (StartTLS refused, certificate not trusted).
    case tls(String)
    /// The server answered with a result code the caller treats as a failure.
    case result(LDAPResult)

    public var description: String {
        switch self {
        case .unavailable(let reason): "LDAP server unavailable: \(reason)"
        case .timeout: "LDAP request timed out"
        case .connectionClosed: "LDAP connection closed"
        case .protocolError(let reason): "LDAP protocol error: \(reason)"
        case .tooManyResults(let limit): "LDAP search returned more than \(limit) results"
        case .tls(let reason): "LDAP TLS failed: \(reason)"
        case .result(let result):
            "LDAP error \(result.code.rawValue) (\(result.code))"
                + (result.diagnosticMessage.isEmpty ? "" : ": \(result.diagnosticMessage)")
        }
    }

    /// Whether asking again later (or another server) may succeed: the transport failed, or the
    /// server said it is busy or unavailable (RFC 4511 §4.1.9 codes 51, 52, 3, 11).
    public var isTemporary: Bool {
        switch self {
        case .unavailable, .timeout, .connectionClosed, .tls: true
        case .protocolError, .tooManyResults: true
        case .result(let result): [.busy, .unavailable, .timeLimitExceeded, .adminLimitExceeded, .other].contains(result.code)
        }
    }

    /// Whether the connection that produced this error must not be used again.
    public var breaksConnection: Bool {
        switch self {
        case .unavailable, .timeout, .connectionClosed, .tls, .protocolError: true
        case .tooManyResults, .result: false
        }
    }
}
