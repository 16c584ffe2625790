import Core
import MIME

/// Finds mail addresses in free text, the way bounce notices write them: bare, in angle brackets, quoted,
/// after `mailto:` or `RCPT TO:`, followed by `:` or `...`. Each candidate must pass `MailAddress` and have a
/// domain of at least two labels ending in a letter, which keeps host names, message IDs of the form
/// `number@number` and stray `@` out.
enum BounceAddressScanner {
    /// Longest token looked at (RFC 5321 §4.5.3.1.3: a path is at most 256 octets).
    static let maxTokenLength = 256

    /// The addresses in `text`, in order.
    static func addresses(in text: Substring) -> [MailAddress] {
        var found: [MailAddress] = []
        for token in text.split(whereSeparator: isDelimiter) where token.contains("@") {
            if let address = address(token) { found.append(address) }
        }
        return found
    }

    /// The address a line starts with (after indentation), as qmail and Postfix write the failed recipient:
    /// `<user@example.org>:` or `user@example.org:`. Nil when the line starts otherwise.
    static func leadingAddress(in line: Substring) -> MailAddress? {
        let rest = line.drop { $0 == " " || $0 == "\t" }
        guard let first = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { return nil }
        let token = first.drop { $0 == "<" || $0 == "\"" }.prefix { !isDelimiter($0) }
        return token.contains("@") ? address(token) : nil
    }

    /// The address of a line that holds only `<user@example.org>:`, as qmail writes a failed recipient.
    static func loneAddress(in line: Substring) -> MailAddress? {
        var rest = line.drop { $0 == " " || $0 == "\t" }
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        guard rest.hasPrefix("<"), rest.hasSuffix(">:") else { return nil }
        rest = rest.dropFirst().dropLast(2)
        guard !rest.contains(where: isDelimiter), rest.contains("@") else { return nil }
        return address(rest)
    }

    /// The addresses of the bounce's own header (its author and its recipient, the list's bounce address):
    /// a notice names them often ("write to postmaster@…"), never as failed recipients.
    static func headerAddresses(of header: Header) -> Set<String> {
        var keys: Set<String> = []
        for name in ["From", "Sender", "To", "Reply-To", "Return-Path", "Errors-To"] {
            for field in header.fields(named: name) {
                for address in addresses(in: Substring(field.value)) { keys.insert(address.key) }
            }
        }
        return keys
    }

    private static func address(_ token: Substring) -> MailAddress? {
        var candidate = token
        // Exchange writes `SMTP=user@example.com` (and X.400-style `RFC822=`).
        if let equals = candidate.firstIndex(of: "="), ["smtp", "rfc822"].contains(candidate[..<equals].lowercased()) {
            candidate = candidate[candidate.index(after: equals)...]
        }
        while let last = candidate.last, last == "." || last == "!" || last == "?" { candidate = candidate.dropLast() }
        while candidate.first == "." { candidate = candidate.dropFirst() }
        guard candidate.utf8.count <= maxTokenLength, candidate.filter({ $0 == "@" }).count == 1,
            let address = try? MailAddress(parsing: String(candidate)),
            address.domain.contains("."), address.domain.split(separator: ".").last?.last?.isLetter == true
        else { return nil }
        return address
    }

    /// Characters that cannot be part of an address as bounces write them (no quoted local parts here).
    private static func isDelimiter(_ c: Character) -> Bool {
        switch c {
        case " ", "\t", "\r", "\n", "<", ">", "(", ")", "[", "]", "\"", "'", ",", ";", ":", "\\":
            return true
        default:
            return c.isWhitespace || c == "\u{A0}"
        }
    }
}
