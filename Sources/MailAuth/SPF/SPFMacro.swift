/// One `%{…}` macro (RFC 7208 §7.1): letter, transformers and delimiters.
struct SPFMacro: Hashable, Sendable {
    /// `macro-letter` (§7.2, §7.3).
    enum Letter: String, Hashable, Sendable {
        case s, l, o, d, i, p, v, h
        /// Only in explanation strings (§7.3): client IP, receiving host, timestamp.
        case c, r, t
    }

    var letter: Letter
    /// Upper-case letter: the value is URL-escaped (§7.3).
    var urlEscape: Bool
    /// The DIGIT transformer: keep this many right-hand parts (never zero, §7.3).
    var rightParts: Int?
    /// The `r` transformer: reverse the parts.
    var reverse: Bool
    /// Characters the value is split on; `.` when none are given.
    var delimiters: Set<Character>

    /// Parses what stands between `%{` and `}`: `macro-letter transformers *delimiter`,
    /// `transformers = *DIGIT [ "r" ]`, `delimiter = "." / "-" / "+" / "," / "/" / "_" / "="`.
    init(parsing body: String, as use: SPFMacroString.Use) throws {
        var rest = Substring(body)
        guard let first = rest.popFirst(), let letter = Letter(rawValue: first.lowercased()) else {
            throw SPFSyntaxError("unknown macro letter in \"%{\(body)}\"")
        }
        if [Letter.c, .r, .t].contains(letter) && use == .domainSpec {
            throw SPFSyntaxError("macro \"%{\(body)}\" is only allowed in explanations")
        }
        self.letter = letter
        urlEscape = first.isUppercase
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(digits.count)
        if digits.isEmpty {
            rightParts = nil
        } else {
            // Values beyond any possible number of parts mean "all parts" (§7.3).
            let value = digits.count > 4 ? 9999 : Int(digits)!
            guard value > 0 else { throw SPFSyntaxError("zero DIGIT transformer in \"%{\(body)}\"") }
            rightParts = value
        }
        reverse = rest.first == "r" || rest.first == "R"
        if reverse { rest = rest.dropFirst() }
        guard rest.allSatisfy({ ".-+,/_=".contains($0) }) else {
            throw SPFSyntaxError("invalid transformer or delimiter in \"%{\(body)}\"")
        }
        delimiters = rest.isEmpty ? ["."] : Set(rest)
    }

    /// §7.3: split on the delimiters, reverse if asked, keep the right-hand parts, join with
    /// dots, and URL-escape for an upper-case letter.
    func transform(_ value: String) -> String {
        var parts = value.split(omittingEmptySubsequences: false) { delimiters.contains($0) }
        if reverse { parts.reverse() }
        if let rightParts, rightParts < parts.count { parts = Array(parts.suffix(rightParts)) }
        let joined = parts.joined(separator: ".")
        return urlEscape ? Self.urlEscaped(joined) : joined
    }

    /// §7.3: "characters not in the 'unreserved' set [RFC 3986 §2.3] MUST be escaped", as
    /// `%` and two upper-case hex digits per UTF-8 octet.
    static func urlEscaped(_ text: String) -> String {
        var result = ""
        for octet in text.utf8 {
            let scalar = UnicodeScalar(octet)
            if octet < 0x80
                && (SPFDomain.isLetter(octet) || (0x30...0x39).contains(octet) || "-._~".unicodeScalars.contains(scalar))
            {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + (octet < 0x10 ? "0" : "") + String(octet, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
