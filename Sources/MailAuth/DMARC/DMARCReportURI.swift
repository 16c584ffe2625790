/// One DMARC reporting URI of an `rua` or `ruf` tag (RFC 9989 §4.6, §4.8 `dmarc-uri`): an RFC 3986
/// URI, with the obsolete `!size` suffix (`obs-dmarc-report-size`) removed, as reporters are to
/// ignore it. Only `mailto:` is used for sending (RFC 9989 §4.7 `rua`); other schemes are kept so
/// that a record with only those still counts as having a reporting URI (§4.10.1).
public struct DMARCReportURI: Sendable, Hashable, CustomStringConvertible {
    /// The URI as written, less the size suffix.
    public let uri: String
    /// The scheme in lower case, e.g. `mailto`.
    public let scheme: String
    /// For `mailto:`, the address (percent-decoded, RFC 6068 §2), e.g. `dmarc@example.com`.
    public let mailbox: String?
    /// The destination host (RFC 9990 §4 step 1): the domain of a `mailto:` address, the host of
    /// the authority of other URIs.
    public let host: DMARCDomain?

    /// Parses one URI; nil when it is not a syntactically valid one (or a `mailto:` without a
    /// usable address).
    public init?(_ text: String) {
        var text = Substring(text).trimmingWSP()
        // obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ]
        if let bang = text.lastIndex(of: "!") {
            var size = text[text.index(after: bang)...]
            if let unit = size.last, "kmgtKMGT".contains(unit) { size = size.dropLast() }
            if !size.isEmpty, size.allSatisfy(\.isASCIIDigit) { text = text[..<bang] }
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return nil }
        let scheme = text[..<colon]
        let rest = text[text.index(after: colon)...]
        guard let first = scheme.first, first.isASCIILetter,
            scheme.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || "+-.".contains($0) }),
            !rest.isEmpty,
            // Printable ASCII without space; commas and "!" must be percent-encoded (§4.8).
            rest.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "!") })
        else { return nil }
        self.uri = String(text)
        self.scheme = scheme.lowercased()
        if self.scheme == "mailto" {
            let to = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let address = Self.percentDecoded(to), let at = address.lastIndex(of: "@"), at != address.startIndex,
                let domain = DMARCDomain(String(address[address.index(after: at)...]))
            else { return nil }
            self.mailbox = String(address[..<at]) + "@" + domain.name
            self.host = domain
        } else {
            mailbox = nil
            if rest.hasPrefix("//") {
                let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                let hostPort = authority.split(separator: "@").last ?? authority
                host = DMARCDomain(String(hostPort.prefix { $0 != ":" }))
            } else {
                host = nil
            }
        }
    }

    public var description: String { uri }

    /// RFC 3986 §2.1 percent-decoding; nil for a broken escape or a result that is not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let octet = iterator.next() {
            guard octet == UInt8(ascii: "%") else {
                bytes.append(octet)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ octet: UInt8) -> UInt8? {
        switch octet {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): octet - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): octet - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): octet - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    /// Without leading and trailing SP and HTAB (ABNF `WSP`).
    func trimmingWSP() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
