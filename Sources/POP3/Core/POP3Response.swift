/// RFC 2449 §8 / RFC 3206 extended response codes, sent in brackets after `-ERR`.
///
/// Posta's choices:
/// - `[AUTH]` (RFC 3206 §4): the credentials were wrong (unknown user, wrong password, disabled
///   account — never which one, RFC 1939 §13), or the SASL exchange was malformed.
/// - `[SYS/TEMP]` (RFC 3206 §5): try again later — too many failed logins (throttle), the store
///   or directory failing, the server shutting down.
/// - `[SYS/PERM]` (RFC 3206 §5): the request can never succeed as sent — USER/PASS/AUTH without
///   TLS where the site requires TLS (RFC 2595 §4 makes the server advertise no usable login
///   before STLS; a client that tries anyway gets this permanent refusal until it uses STLS).
/// - `[IN-USE]` (RFC 2449 §8.1.2): another POP3 session holds the maildrop.
public enum POP3ResponseCode: String, Sendable, Hashable {
    case inUse = "IN-USE"
    case loginDelay = "LOGIN-DELAY"
    case auth = "AUTH"
    case sysTemp = "SYS/TEMP"
    case sysPerm = "SYS/PERM"
}

/// A single-line response (`+OK text` / `-ERR [CODE] text`), optionally followed by a multi-line
/// body (RFC 1939 §3): lines are dot-stuffed on encoding and the body ends with `.` CRLF.
public struct POP3Response: Sendable, Hashable {
    public var ok: Bool
    public var code: POP3ResponseCode?
    public var text: String
    /// For multi-line responses: the lines, without CRLF and not yet dot-stuffed.
    public var lines: [String]?

    public init(ok: Bool, code: POP3ResponseCode? = nil, _ text: String, lines: [String]? = nil) {
        self.ok = ok
        self.code = code
        self.text = text
        self.lines = lines
    }

    public static func ok(_ text: String, lines: [String]? = nil) -> POP3Response { .init(ok: true, text, lines: lines) }
    public static func err(_ code: POP3ResponseCode, _ text: String) -> POP3Response { .init(ok: false, code: code, text) }
    public static func err(_ text: String) -> POP3Response { .init(ok: false, text) }

    /// The status line without CRLF, e.g. `-ERR [AUTH] invalid credentials`.
    public var statusLine: String {
        var line = ok ? "+OK" : "-ERR"
        if let code { line += " [\(code.rawValue)]" }
        if !text.isEmpty { line += " " + text }
        return line
    }

    public func encode() -> [UInt8] {
        var out = Array(statusLine.utf8) + [0x0D, 0x0A]
        if let lines {
            for line in lines {
                if line.hasPrefix(".") { out.append(0x2E) }  // RFC 1939 §3 byte-stuffing
                out += Array(line.utf8) + [0x0D, 0x0A]
            }
            out += [0x2E, 0x0D, 0x0A]
        }
        return out
    }
}
