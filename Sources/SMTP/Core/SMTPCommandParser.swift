import Core

/// Turns one command line (without its line end) into an `SMTPCommand`. Pure; knows nothing of
/// the session state.
public struct SMTPCommandParser: Sendable {
    /// The domain a bare `RCPT TO:<Postmaster>` is completed with (RFC 5321 §4.1.1.3).
    public var postmasterDomain: String
    /// Whether the `SMTPUTF8` MAIL parameter is recognised (it is unknown when not advertised).
    public var smtpUTF8Enabled: Bool
    /// Whether the `AUTH=` MAIL parameter (RFC 4954 §5) is recognised (AUTH is offered).
    public var authEnabled: Bool
    /// Whether the `REQUIRETLS` MAIL parameter (RFC 8689 §4.1) is recognised (SMTP, not LMTP).
    public var requireTLSEnabled: Bool

    public init(
        postmasterDomain: String, smtpUTF8Enabled: Bool = true, authEnabled: Bool = false, requireTLSEnabled: Bool = false
    ) {
        self.requireTLSEnabled = requireTLSEnabled
        self.postmasterDomain = postmasterDomain
        self.smtpUTF8Enabled = smtpUTF8Enabled
        self.authEnabled = authEnabled
    }

    /// Verbs that mean someone is speaking HTTP (or asking for a proxy) to the SMTP port.
    static let crossProtocolVerbs: Set<String> = ["GET", "POST", "PUT", "HEAD", "CONNECT"]

    public func parse(_ line: [UInt8]) -> Result<SMTPCommand, SMTPSyntaxError> {
        do throws(SMTPSyntaxError) {
            return .success(try parseLine(line))
        } catch {
            return .failure(error)
        }
    }

    private func parseLine(_ line: [UInt8]) throws(SMTPSyntaxError) -> SMTPCommand {
        // A command line may hold neither NUL nor a bare CR (RFC 5321 §2.3.8), and must be UTF-8
        // (ASCII, or UTF-8 addresses under RFC 6531).
        guard !line.contains(0), !line.contains(13), let decoded = String(validating: line, as: UTF8.self) else {
            throw .badCharacters
        }
        // Lenient: trailing spaces and tabs are ignored.
        var text = Substring(decoded)
        while let last = text.unicodeScalars.last, last == " " || last == "\t" {
            text = text.dropLast()
        }
        let verbEnd = text.firstIndex(of: " ") ?? text.endIndex
        let verbText = text[..<verbEnd]
        guard (1...12).contains(verbText.utf8.count), verbText.utf8.allSatisfy({ (65...90).contains($0 & ~0x20) }) else {
            throw .unknownCommand
        }
        let verb = verbText.uppercased()
        let argument = verbEnd < text.endIndex ? text[text.index(after: verbEnd)...].drop(while: { $0 == " " }) : ""

        switch verb {
        case "HELO": return .helo(try helloDomain(argument, verb: verb))
        case "EHLO": return .ehlo(try helloDomain(argument, verb: verb))
        case "LHLO": return .lhlo(try helloDomain(argument, verb: verb))
        case "MAIL": return .mail(try mail(argument))
        case "RCPT": return .rcpt(try rcpt(argument))
        case "DATA":
            try noArgument(argument, "Syntax: DATA")
            return .data
        case "BDAT": return try bdat(argument)
        case "RSET":
            try noArgument(argument, "Syntax: RSET")
            return .rset
        case "NOOP": return .noop  // RFC 5321 §4.1.1.9: NOOP [ SP String ]
        case "QUIT":
            try noArgument(argument, "Syntax: QUIT")
            return .quit
        case "VRFY":
            guard !argument.isEmpty else { throw .badArguments("Syntax: VRFY <address>") }
            return .vrfy(String(argument))
        case "EXPN":
            guard !argument.isEmpty else { throw .badArguments("Syntax: EXPN <list>") }
            return .expn(String(argument))
        case "HELP": return .help(argument.isEmpty ? nil : String(argument))
        case "STARTTLS":
            // RFC 3207 §4: "501 Syntax error (no parameters allowed)"
            try noArgument(argument, "Syntax: STARTTLS (no parameters allowed)")
            return .startTLS
        case "AUTH": return try auth(argument)
        default:
            if SMTPCommandParser.crossProtocolVerbs.contains(verb) { throw .crossProtocol }
            throw .unknownCommand
        }
    }

    private func noArgument(_ argument: Substring, _ usage: String) throws(SMTPSyntaxError) {
        guard argument.isEmpty else { throw .badArguments(usage) }
    }

    /// RFC 5321 §4.1.1.1: `EHLO SP ( Domain / address-literal )`, checked loosely: one token that
    /// is either `[…]` or letters, digits, `-`, `.`, `_` (common in Windows host names) and UTF-8.
    private func helloDomain(_ argument: Substring, verb: String) throws(SMTPSyntaxError) -> String {
        let usage = "Syntax: \(verb) <hostname>"
        guard !argument.isEmpty, argument.utf8.count <= 255 else { throw .badArguments(usage) }
        let bytes = Array(argument.utf8)
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.count > 2, bytes.last == UInt8(ascii: "]"),
                bytes.dropFirst().dropLast().allSatisfy({ (33...126).contains($0) && $0 != 91 && $0 != 93 && $0 != 92 })
            else { throw .badArguments(usage) }
            return String(argument)
        }
        for b in bytes {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), 0x80...0xFF:
                continue
            default:
                throw .badArguments(usage)
            }
        }
        return String(argument)
    }

    private func mail(_ argument: Substring) throws(SMTPSyntaxError) -> SMTPMailCommand {
        guard argument.utf8.count >= 5, argument.prefix(5).uppercased() == "FROM:" else {
            throw .badArguments("Syntax: MAIL FROM:<address>")
        }
        let (path, rest) = try SMTPPathParser.split(argument.dropFirst(5), sender: true)
        let reversePath = try SMTPPathParser.reversePath(path)
        return try SMTPParameters.mail(
            reversePath: reversePath, parameters: try SMTPParameters.split(rest), smtpUTF8Enabled: smtpUTF8Enabled,
            authEnabled: authEnabled, requireTLSEnabled: requireTLSEnabled)
    }

    private func rcpt(_ argument: Substring) throws(SMTPSyntaxError) -> SMTPRecipientCommand {
        guard argument.utf8.count >= 3, argument.prefix(3).uppercased() == "TO:" else {
            throw .badArguments("Syntax: RCPT TO:<address>")
        }
        let (path, rest) = try SMTPPathParser.split(argument.dropFirst(3), sender: false)
        let address = try SMTPPathParser.forwardPath(path, postmasterDomain: postmasterDomain)
        return try SMTPParameters.recipient(address: address, parameters: try SMTPParameters.split(rest))
    }

    /// RFC 4954 §4: `"AUTH" SP sasl-mech [SP initial-response]`; RFC 4422 §3.1: a mechanism name is
    /// 1–20 of upper-case letters, digits, `-` and `_` (matched case-insensitively here).
    private func auth(_ argument: Substring) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: AUTH <mechanism> [initial-response]"
        let parts = argument.split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { throw .badArguments(usage) }
        let mechanism = parts[0].uppercased()
        guard (1...20).contains(mechanism.utf8.count),
            mechanism.utf8.allSatisfy({ (65...90).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 })
        else { throw .badArguments(usage) }
        guard parts.count == 2 else { return .auth(mechanism: mechanism, initialResponse: nil) }
        guard !parts[1].isEmpty else { throw .badArguments(usage) }
        return .auth(mechanism: mechanism, initialResponse: String(parts[1]))
    }

    /// RFC 3030 §2: `bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ]`, chunk-size = 1*DIGIT.
    private func bdat(_ argument: Substring) throws(SMTPSyntaxError) -> SMTPCommand {
        let usage = "Syntax: BDAT <size> [LAST]"
        let parts = argument.split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (1...18).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ (48...57).contains($0) }), let size = Int64(parts[0])
        else { throw .badArguments(usage) }
        if parts.count == 2 {
            guard parts[1].uppercased() == "LAST" else { throw .badArguments(usage) }
            return .bdat(size: size, last: true)
        }
        return .bdat(size: size, last: false)
    }
}
