/// RFC 5804 §1.3 response codes, in parentheses after `OK`, `NO` or `BYE`.
///
/// Posta's choices:
/// - `ENCRYPT-NEEDED` (§1.3): AUTHENTICATE before TLS where the listener requires TLS.
/// - `TRYLATER` (§1.3): the directory or the script store failed, too many failed logins
///   (the throttle), the server shutting down.
/// - `QUOTA/MAXSCRIPTS`, `QUOTA/MAXSIZE` (§1.3): the storage's limits; a literal larger than the
///   largest script is refused with `QUOTA/MAXSIZE` without being kept.
/// - `NONEXISTENT`, `ALREADYEXISTS`, `ACTIVE` (§1.3): the script operations' failures.
/// - `TAG` (§2.13): NOOP's tag echoed.
public enum ManageSieveResponseCode: Sendable, Hashable {
    case authTooWeak
    case encryptNeeded
    case quota
    case quotaMaxScripts
    case quotaMaxSize
    /// `REFERRAL sieveurl` (§1.3): not a string on the wire.
    case referral(String)
    /// `SASL string` (§2.1): additional data with success.
    case sasl(String)
    case transitionNeeded
    case tryLater
    case active
    case nonexistent
    case alreadyExists
    case warnings
    case tag([UInt8])

    /// The code between the parentheses.
    var encoded: [UInt8] {
        switch self {
        case .authTooWeak: Array("AUTH-TOO-WEAK".utf8)
        case .encryptNeeded: Array("ENCRYPT-NEEDED".utf8)
        case .quota: Array("QUOTA".utf8)
        case .quotaMaxScripts: Array("QUOTA/MAXSCRIPTS".utf8)
        case .quotaMaxSize: Array("QUOTA/MAXSIZE".utf8)
        case .referral(let url): Array("REFERRAL \(url.filter { !$0.isWhitespace && $0 != ")" })".utf8)
        case .sasl(let data): Array("SASL ".utf8) + ManageSieveResponse.string(Array(data.utf8))
        case .transitionNeeded: Array("TRANSITION-NEEDED".utf8)
        case .tryLater: Array("TRYLATER".utf8)
        case .active: Array("ACTIVE".utf8)
        case .nonexistent: Array("NONEXISTENT".utf8)
        case .alreadyExists: Array("ALREADYEXISTS".utf8)
        case .warnings: Array("WARNINGS".utf8)
        case .tag(let tag): Array("TAG ".utf8) + ManageSieveResponse.string(tag)
        }
    }
}

/// One piece of the server's output (RFC 5804 §4 `response`): a status line, or the data lines
/// that come before a command's `OK`.
public enum ManageSieveResponse: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok = "OK"
        case no = "NO"
        case bye = "BYE"
    }

    /// `OK` / `NO` / `BYE` [SP "(" resp-code ")"] [SP string] CRLF.
    case status(Status, ManageSieveResponseCode?, String?)
    /// A data line of strings, each with an optional atom after it: `"SIEVE" "fileinto"` (§1.7),
    /// `"name" ACTIVE` (§2.7), a SASL challenge `"base64"` (§2.1).
    case line([ManageSieveResponseItem])
    /// GETSCRIPT's script (§2.9): a literal and its CRLF.
    case literal([UInt8])

    public static func ok(_ text: String? = nil, code: ManageSieveResponseCode? = nil) -> Self { .status(.ok, code, text) }
    public static func no(_ text: String, code: ManageSieveResponseCode? = nil) -> Self { .status(.no, code, text) }
    public static func bye(_ text: String, code: ManageSieveResponseCode? = nil) -> Self { .status(.bye, code, text) }

    public var status: Status? {
        if case .status(let status, _, _) = self { return status }
        return nil
    }

    public func encode() -> [UInt8] {
        var out: [UInt8]
        switch self {
        case .status(let status, let code, let text):
            out = Array(status.rawValue.utf8)
            if let code { out += Array(" (".utf8) + code.encoded + [UInt8(ascii: ")")] }
            if let text { out += [UInt8(ascii: " ")] + Self.string(Array(text.utf8)) }
        case .line(let items):
            out = []
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                switch item {
                case .string(let bytes): out += Self.string(bytes)
                case .atom(let atom): out += Array(atom.utf8)
                }
            }
        case .literal(let bytes):
            out = Self.literal(bytes)
        }
        return out + [13, 10]
    }

    /// A string as the server sends it (§4 `string = quoted / literal-s2c`): quoted when short and
    /// free of CR, LF and NUL, else a literal `{N}` CRLF octets.
    static func string(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count <= ManageSieveReader.maxQuotedLength, !bytes.contains(where: { $0 == 0 || $0 == 10 || $0 == 13 })
        else { return literal(bytes) }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// §4 `literal-s2c = "{" number "}" CRLF *OCTET`.
    static func literal(_ bytes: [UInt8]) -> [UInt8] {
        Array("{\(bytes.count)}\r\n".utf8) + bytes
    }
}

public enum ManageSieveResponseItem: Sendable, Hashable {
    case string([UInt8])
    case atom(String)

    public static func text(_ text: String) -> Self { .string(Array(text.utf8)) }
}
