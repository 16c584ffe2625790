/// A `tag=value` list (RFC 6376 §3.2), the syntax of both the `DKIM-Signature` header field
/// and the key records in DNS. Works on octets: header fields and TXT records are not
/// necessarily UTF-8.
///
/// ```
/// tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
/// tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
/// tag-name  =  ALPHA *ALNUMPUNC
/// tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
/// tval      =  1*VALCHAR          ; VALCHAR = %x21-3A / %x3C-7E
/// ```
///
/// Octets above 0x7F are accepted in values (RFC 8616 §4 allows UTF-8 there); empty
/// tag-specs (`a=1;;b=2`, `a=1; `) are skipped, as deployed signers write them.
struct DKIMTagList: Sendable, Hashable {
    struct Tag: Sendable, Hashable {
        /// The name as written (tag names are case-sensitive, §3.2).
        var name: String
        /// The value without the whitespace around it; whitespace inside is kept as written.
        var value: [UInt8]
        /// Where the value lies in the parsed octets, from just after `=` to just before the `;`
        /// or the end, surrounding whitespace included: what §3.5 means by deleting the `b=`
        /// value "including all surrounding whitespace".
        var valueRange: Range<Int>

        /// The value as text (invalid UTF-8 becomes U+FFFD).
        var text: String { String(decoding: value, as: UTF8.self) }

        /// The value with every folding white space removed (for base64 and colon lists).
        var compactValue: [UInt8] { value.filter { !DKIMTagList.isWhitespace($0) } }
    }

    var tags: [Tag]

    /// The tag called `name`, if any.
    subscript(name: String) -> Tag? { tags.first { $0.name == name } }

    /// The tag called `name`; its absence is a syntax error.
    func required(_ name: String) throws(DKIMSyntaxError) -> Tag {
        guard let tag = self[name] else { throw DKIMSyntaxError("no \(name)= tag") }
        return tag
    }

    /// Parses a whole list; a syntax error anywhere, a repeated tag name (§3.2: "the entire
    /// tag-list is invalid") or more than `maxTags` tags throw.
    init(parsing octets: [UInt8], maxTags: Int = 64) throws(DKIMSyntaxError) {
        var tags: [Tag] = []
        var start = 0
        while start <= octets.count {
            let end = octets[start...].firstIndex(of: UInt8(ascii: ";")) ?? octets.count
            if let tag = try Self.tagSpec(octets, start..<end) {
                guard tags.count < maxTags else { throw DKIMSyntaxError("more than \(maxTags) tags") }
                guard !tags.contains(where: { $0.name == tag.name }) else {
                    throw DKIMSyntaxError("tag \"\(tag.name)\" appears twice")
                }
                tags.append(tag)
            }
            start = end + 1
        }
        self.tags = tags
    }

    /// One `tag-spec` between semicolons; nil when it is only white space.
    private static func tagSpec(_ octets: [UInt8], _ range: Range<Int>) throws(DKIMSyntaxError) -> Tag? {
        let spec = octets[range]
        guard let equals = spec.firstIndex(of: UInt8(ascii: "=")) else {
            guard spec.allSatisfy(isWhitespace) else {
                throw DKIMSyntaxError("\"\(printable(spec))\" is not a tag=value pair")
            }
            return nil
        }
        let name = trimmed(octets, range.lowerBound..<equals)
        guard let first = name.first, isAlpha(first), name.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == 0x5F }),
            name.count <= 64
        else {
            throw DKIMSyntaxError("invalid tag name \"\(printable(name))\"")
        }
        try checkFoldingWhitespace(octets[range.lowerBound..<equals])
        let valueRange = (equals + 1)..<range.upperBound
        let value = trimmed(octets, valueRange)
        try checkFoldingWhitespace(octets[valueRange])
        for octet in value where !isWhitespace(octet) {
            // VALCHAR, plus UTF-8 (RFC 8616 §4); never a control character.
            guard (0x21...0x3A).contains(octet) || (0x3C...0x7E).contains(octet) || octet >= 0x80 else {
                throw DKIMSyntaxError("invalid character in the value of tag \"\(printable(name))\"")
            }
        }
        return Tag(name: String(decoding: name, as: UTF8.self), value: Array(value), valueRange: valueRange)
    }

    /// White space may only be SP, HTAB, or CRLF followed by SP or HTAB (FWS, RFC 5322 §3.2.2).
    private static func checkFoldingWhitespace(_ octets: ArraySlice<UInt8>) throws(DKIMSyntaxError) {
        var index = octets.startIndex
        while index < octets.endIndex {
            switch octets[index] {
            case 0x0D:
                guard index + 2 < octets.endIndex, octets[index + 1] == 0x0A,
                    octets[index + 2] == 0x20 || octets[index + 2] == 0x09
                else { throw DKIMSyntaxError("line break not followed by white space") }
                index += 2
            case 0x0A: throw DKIMSyntaxError("bare line feed")
            default: index += 1
            }
        }
    }

    private static func trimmed(_ octets: [UInt8], _ range: Range<Int>) -> ArraySlice<UInt8> {
        var slice = octets[range]
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }

    static func isWhitespace(_ octet: UInt8) -> Bool { octet == 0x20 || octet == 0x09 || octet == 0x0D || octet == 0x0A }
    static func isAlpha(_ octet: UInt8) -> Bool { (0x41...0x5A).contains(octet) || (0x61...0x7A).contains(octet) }
    static func isDigit(_ octet: UInt8) -> Bool { (0x30...0x39).contains(octet) }

    /// At most 40 printable ASCII characters of `octets`, for error messages.
    static func printable(_ octets: some Collection<UInt8>) -> String {
        var text = ""
        for octet in octets.prefix(40) {
            text.unicodeScalars.append((0x20...0x7E).contains(octet) ? Unicode.Scalar(octet) : "?")
        }
        return octets.count > 40 ? text + "…" : text
    }
}

/// A syntax error in a tag list, a signature or a key record: the reason for a `permerror`.
public struct DKIMSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
