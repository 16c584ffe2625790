import Core

/// One ESMTP parameter, RFC 5321 §4.1.2 `esmtp-param = esmtp-keyword ["=" esmtp-value]`.
struct SMTPParameter: Sendable, Hashable {
    /// Upper-cased (keywords are case-insensitive).
    var keyword: String
    var value: Substring?
}

/// MAIL and RCPT parameters: SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531),
/// RET/ENVID/NOTIFY/ORCPT (RFC 3461).
enum SMTPParameters {
    /// Splits `SIZE=100 BODY=8BITMIME` (lenient about repeated spaces). Duplicates are refused.
    static func split(_ text: Substring) throws(SMTPSyntaxError) -> [SMTPParameter] {
        var result: [SMTPParameter] = []
        var seen: Set<String> = []
        for item in text.split(separator: " ") {
            let keywordText: Substring
            let value: Substring?
            if let eq = item.firstIndex(of: "=") {
                keywordText = item[..<eq]
                value = item[item.index(after: eq)...]
            } else {
                keywordText = item
                value = nil
            }
            // esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
            let k = Array(keywordText.utf8)
            guard let first = k.first, isAlnum(first), k.count <= 64, k.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") })
            else { throw .badArguments("Invalid parameter syntax") }
            // esmtp-value = 1*(%d33-60 / %d62-126), widened to UTF-8 by RFC 6531 §3.3
            if let value {
                guard !value.isEmpty,
                    value.unicodeScalars.allSatisfy({ ($0.value >= 33 && $0.value <= 126 && $0 != "=") || $0.value >= 0x80 })
                else { throw .badArguments("Invalid parameter value") }
            }
            let keyword = String(keywordText).uppercased()
            guard seen.insert(keyword).inserted else { throw .badArguments("Duplicate parameter \(keyword)") }
            result.append(SMTPParameter(keyword: keyword, value: value))
        }
        return result
    }

    static func mail(
        reversePath: MailAddress?, parameters: [SMTPParameter], smtpUTF8Enabled: Bool, authEnabled: Bool = false,
        requireTLSEnabled: Bool = false
    ) throws(SMTPSyntaxError) -> SMTPMailCommand {
        var command = SMTPMailCommand(reversePath: reversePath)
        for parameter in parameters {
            switch parameter.keyword {
            case "SIZE":
                // RFC 1870 §6: size-value = 1*20DIGIT
                guard let v = parameter.value, (1...20).contains(v.utf8.count), v.utf8.allSatisfy({ (48...57).contains($0) })
                else { throw .badArguments("Syntax: SIZE=<octets>") }
                command.size = Int64(v) ?? Int64.max
            case "BODY":
                guard let v = parameter.value, let body = MessageBodyType(text: v)
                else { throw .badArguments("Syntax: BODY=7BIT|8BITMIME|BINARYMIME") }
                command.body = body
            case "SMTPUTF8" where smtpUTF8Enabled:
                guard parameter.value == nil else { throw .badArguments("SMTPUTF8 takes no value") }
                command.smtpUTF8 = true
            case "REQUIRETLS" where requireTLSEnabled:
                // RFC 8689 §4.1: no value. Whether the session is TLS is the session's to check.
                guard parameter.value == nil else { throw .badArguments("REQUIRETLS takes no value") }
                command.requireTLS = true
            case "RET":
                guard let v = parameter.value, let ret = DSNReturn(text: v)
                else { throw .badArguments("Syntax: RET=FULL|HDRS") }
                command.ret = ret
            case "ENVID":
                // RFC 3461 §4.4: xtext of at most 100 printable US-ASCII characters (space included).
                guard let v = parameter.value, let id = XText.decode(v), !id.isEmpty, id.utf8.count <= 100,
                    id.utf8.allSatisfy({ (32...126).contains($0) })
                else { throw .badArguments("Syntax: ENVID=<xtext, at most 100 characters>") }
                command.envID = id
            case "AUTH" where authEnabled:
                // RFC 4954 §5: `AUTH=` (xtext of a mailbox) / `AUTH=<>`.
                guard let v = parameter.value else { throw .badArguments("Syntax: AUTH=<xtext> or AUTH=<>") }
                if v == "<>" {
                    command.auth = "<>"
                } else {
                    guard let decoded = XText.decode(v), !decoded.isEmpty else {
                        throw .badArguments("Syntax: AUTH=<xtext> or AUTH=<>")
                    }
                    command.auth = decoded
                }
            default:
                throw .unknownParameter(parameter.keyword)
            }
        }
        return command
    }

    static func recipient(address: MailAddress, parameters: [SMTPParameter]) throws(SMTPSyntaxError) -> SMTPRecipientCommand {
        var recipient = SMTPRecipient(address: address)
        for parameter in parameters {
            switch parameter.keyword {
            case "NOTIFY":
                // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )
                guard let v = parameter.value, let notify = DSNNotify(text: v) else {
                    throw .badArguments("Syntax: NOTIFY=NEVER|SUCCESS,FAILURE,DELAY")
                }
                recipient.notify = notify
            case "ORCPT":
                // RFC 3461 §4.2: addr-type ";" xtext, at most 500 characters.
                guard let v = parameter.value, v.utf8.count <= 500, let semicolon = v.firstIndex(of: ";") else {
                    throw .badArguments("Syntax: ORCPT=<addr-type>;<xtext>")
                }
                let type = v[..<semicolon]
                guard !type.isEmpty, type.unicodeScalars.allSatisfy({ $0.value < 0x80 && MailAddress.isAtextASCII($0) }),
                    let decoded = XText.decode(v[v.index(after: semicolon)...]), !decoded.isEmpty,
                    !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
                else { throw .badArguments("Syntax: ORCPT=<addr-type>;<xtext>") }
                recipient.orcpt = DSNOriginalRecipient(addressType: String(type), address: decoded)
            default:
                throw .unknownParameter(parameter.keyword)
            }
        }
        return SMTPRecipientCommand(recipient: recipient)
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (48...57).contains(b) || (65...90).contains(b) || (97...122).contains(b)
    }
}

extension MailAddress {
    /// RFC 5322 §3.2.3 atext, ASCII only (the addr-type of ORCPT is an atom).
    fileprivate static func isAtextASCII(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(s)
        }
    }
}
