import Core

/// Reverse- and forward-paths (RFC 5321 §4.1.2 `Path = "<" [ A-d-l ":" ] Mailbox ">"`), with every
/// relay and syntax trick refused before the session asks anyone about the address.
enum SMTPPathParser {
    /// RFC 5321 §4.5.3.1.3: a path, angle brackets included, is at most 256 octets.
    static let maxPathLength = 256

    /// Splits the text after `FROM:` / `TO:` into the path (brackets removed) and the parameter text.
    ///
    /// Leniency (a documented choice): spaces between the colon and the path are skipped, as many
    /// clients send `MAIL FROM: <a@b>`; a path without angle brackets (`RCPT TO:a@b`) is accepted as
    /// lenient MTAs do, but then it may not contain `<`, `>` or quotes. Inside brackets, quoted
    /// strings may hold spaces and `>`; an unbalanced quote or bracket is refused.
    static func split(_ argument: Substring, sender: Bool) throws(SMTPSyntaxError) -> (path: Substring, parameters: Substring) {
        let s = argument.drop(while: { $0 == " " })
        let bytes = s.utf8
        guard let first = bytes.first else {
            throw .badArguments(sender ? "Syntax: MAIL FROM:<address>" : "Syntax: RCPT TO:<address>")
        }
        if first == UInt8(ascii: "<") {
            var inQuote = false
            var escaped = false
            var index = bytes.index(after: bytes.startIndex)
            while index < bytes.endIndex {
                let c = bytes[index]
                if escaped {
                    escaped = false
                } else if inQuote {
                    if c == UInt8(ascii: "\\") {
                        escaped = true
                    } else if c == UInt8(ascii: "\"") {
                        inQuote = false
                    }
                } else if c == UInt8(ascii: "\"") {
                    inQuote = true
                } else if c == UInt8(ascii: "<") {
                    throw .badAddress("Unbalanced angle brackets", sender: sender)
                } else if c == UInt8(ascii: ">") {
                    let path = s[bytes.index(after: bytes.startIndex)..<index]
                    let rest = s[bytes.index(after: index)...]
                    guard rest.isEmpty || rest.utf8.first == UInt8(ascii: " ") else {
                        throw .badAddress("Unexpected characters after the address", sender: sender)
                    }
                    return (path, rest)
                }
                index = bytes.index(after: index)
            }
            throw .badAddress(inQuote ? "Unbalanced quotes" : "Unbalanced angle brackets", sender: sender)
        }
        let end = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.endIndex
        let path = s[..<end]
        guard !path.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") })
        else { throw .badAddress("Unbalanced angle brackets or quotes", sender: sender) }
        return (path, s[end...])
    }

    /// The reverse-path of MAIL: nil for `<>`. A source route is ignored as RFC 5321 §4.1.1.2 and
    /// Appendix C ask (after checking its syntax).
    static func reversePath(_ path: Substring) throws(SMTPSyntaxError) -> MailAddress? {
        try checkCommon(path, sender: true)
        if path.isEmpty { return nil }
        var mailbox = path
        if path.utf8.first == UInt8(ascii: "@") {
            guard let colon = path.firstIndex(of: ":") else { throw .badAddress("Invalid source route", sender: true) }
            for hop in path[..<colon].split(separator: ",", omittingEmptySubsequences: false) {
                guard hop.utf8.first == UInt8(ascii: "@"), (try? DomainName.validate(String(hop.dropFirst()))) != nil else {
                    throw .badAddress("Invalid source route", sender: true)
                }
            }
            mailbox = path[path.index(after: colon)...]
        }
        return try mailboxAddress(mailbox, sender: true)
    }

    /// The forward-path of RCPT. `<Postmaster>` without a domain (any case) is the local postmaster,
    /// RFC 5321 §4.1.1.3 / §4.5.1. Source routes are refused: RFC 5321 Appendix C says servers SHOULD
    /// ignore the route, but it is only ever sent as a relay trick.
    static func forwardPath(_ path: Substring, postmasterDomain: String) throws(SMTPSyntaxError) -> MailAddress {
        try checkCommon(path, sender: false)
        if path.isEmpty { throw .badAddress("Empty recipient address <> not allowed", sender: false) }
        if path.utf8.first == UInt8(ascii: "@") { throw .refusedAddress("Source routes are not accepted") }
        if path.lowercased() == "postmaster" { return MailAddress(localPart: "postmaster", domain: postmasterDomain) }
        return try mailboxAddress(path, sender: false)
    }

    private static func checkCommon(_ path: Substring, sender: Bool) throws(SMTPSyntaxError) {
        guard path.utf8.count + 2 <= maxPathLength else { throw .badAddress("Path too long", sender: sender) }
        for scalar in path.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            throw .badAddress("Control characters in address", sender: sender)
        }
    }

    private static func mailboxAddress(_ text: Substring, sender: Bool) throws(SMTPSyntaxError) -> MailAddress {
        let address: MailAddress
        do {
            address = try MailAddress(parsing: String(text))
        } catch {
            switch error {
            case .routing: throw .refusedAddress("Routing characters (%, !, quoted @) are not accepted")
            case .addressLiteral: throw .refusedAddress("Address literals are not accepted")
            case .tooLong: throw .badAddress("Address too long", sender: sender)
            case .empty, .missingAt: throw .badAddress("Address needs a domain", sender: sender)
            case .badLocalPart: throw .badAddress("Invalid local part", sender: sender)
            case .badDomain: throw .badAddress("Invalid domain", sender: sender)
            }
        }
        if address.localPart == "\"\"" { throw .badAddress("Empty quoted local part", sender: sender) }
        // RFC 3696 §2: a top-level domain is never all-numeric; `user@1.2.3.4` is an IP in disguise.
        if let tld = address.domain.split(separator: ".").last, tld.utf8.allSatisfy({ (48...57).contains($0) }) {
            throw .refusedAddress("Numeric domains are not accepted; use a host name")
        }
        return address
    }
}
