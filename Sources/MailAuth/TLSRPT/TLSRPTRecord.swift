/// The `_smtp._tls.<domain>` TXT record (RFC 8460 §3): where a domain wants TLS reports.
///
/// ```
/// tlsrpt-record  = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
/// field-delim    = *WSP ";" *WSP
/// tlsrpt-version = %s"v=TLSRPTv1"
/// tlsrpt-rua     = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
/// tlsrpt-uri     = URI   ; mailto: or https:
/// ```
public struct TLSRPTRecord: Sendable, Hashable {
    /// The report destinations, in record order; only `mailto:` and `https:` URIs are kept.
    public var reportURIs: [String]

    public init(reportURIs: [String]) {
        self.reportURIs = reportURIs
    }

    /// The name of the record of `domain`.
    public static func name(for domain: String) -> String { "_smtp._tls." + domain }

    /// Most URIs kept from one record.
    public static let maxURIs = 10

    /// Parses one record; nil when it is not a valid TLSRPTv1 record with a `rua` field.
    public init?(_ text: String) {
        guard text.utf8.count <= 2048 else { return nil }
        let fields = text.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingTLSRPTSpace()
        }
        guard fields.first == "v=TLSRPTv1" else { return nil }
        var uris: [String]?
        for (index, field) in fields.enumerated().dropFirst() {
            if field.isEmpty, index == fields.count - 1 { break }  // [field-delim] at the end
            guard let equals = field.firstIndex(of: "="), equals != field.startIndex else { return nil }
            let name = field[..<equals]
            let value = field[field.index(after: equals)...]
            guard name == "rua" else { continue }  // tlsrpt-extension
            guard uris == nil else { return nil }
            let list = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingTLSRPTSpace() }
            guard !list.isEmpty, list.allSatisfy({ Self.isURI($0) }) else { return nil }
            uris = list.filter { $0.lowercased().hasPrefix("mailto:") || $0.lowercased().hasPrefix("https:") }
                .prefix(Self.maxURIs).map(String.init)
        }
        guard let uris, !uris.isEmpty else { return nil }
        self.reportURIs = uris
    }

    /// The addresses of the `mailto:` URIs (RFC 6068), without query parts.
    public var mailtoAddresses: [String] {
        reportURIs.compactMap { uri in
            guard uri.lowercased().hasPrefix("mailto:") else { return nil }
            let rest = uri.dropFirst(7).prefix { $0 != "?" }
            let address = rest.removingPercentEncodingASCII()
            guard let at = address.lastIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex
            else { return nil }
            return address
        }
    }

    /// Selects the domain's record among TXT records (RFC 8460 §3): records not starting with
    /// `v=TLSRPTv1` are ignored; unless exactly one is left (and valid), there is none.
    public static func select(_ texts: [String]) -> TLSRPTRecord? {
        let candidates = texts.filter { $0.hasPrefix("v=TLSRPTv1") }
        guard candidates.count == 1 else { return nil }
        return TLSRPTRecord(candidates[0])
    }

    /// A scheme, `:`, and printable ASCII without spaces, `,` or `;` (the delimiters here).
    private static func isURI(_ text: Substring) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex
        else { return false }
        let scheme = text[..<colon].utf8
        guard let first = scheme.first, (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first) else {
            return false
        }
        return text.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != 0x2C && $0 != 0x3B }
    }
}

extension Substring {
    fileprivate func trimmingTLSRPTSpace() -> Substring {
        var value = self.drop { $0 == " " || $0 == "\t" }
        while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
        return value
    }

    /// `%XX` sequences decoded where they form ASCII; anything else kept as written.
    fileprivate func removingPercentEncodingASCII() -> String {
        var bytes: [UInt8] = []
        let source = Array(utf8)
        var index = 0
        while index < source.count {
            if source[index] == 0x25, index + 2 < source.count,
                let value = UInt8(String(decoding: source[index + 1...index + 2], as: UTF8.self), radix: 16), value < 0x80
            {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
