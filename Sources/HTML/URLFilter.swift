/// Which URLs the sanitiser keeps in `href`, `src`, `background` and CSS `url()`.
///
/// The value is already decoded by the HTML tokenizer (`&#106;avascript:` is `javascript:` here). Then,
/// as the URL parser does (WHATWG URL §4.4 basic URL parser: strip leading and trailing C0 control or
/// space, remove all ASCII tab or newline), `" java\tscript:"` becomes `javascript:`; the scheme is the
/// run of ASCII alphanumerics, `+`, `-`, `.` after a letter, before `:` (§4.4 scheme state), compared
/// lower-case. An allowlist of schemes decides; anything else, relative URLs included, is dropped.
enum URLFilter {
    enum Kind {
        /// `<a href>`: followed by a click, not loaded: http, https, mailto.
        case link
        /// Loaded with the page (`img src`, `background`, CSS `url()`): `cid:` (RFC 2392) rewritten by the
        /// caller, `data:` images, and http(s) only when remote content is allowed.
        case image
    }

    enum Verdict: Equatable {
        case keep(String)
        /// A `cid:` URL the caller serves at `url`.
        case inline(contentID: String, url: String)
        /// Dropped; `remote` when it would have loaded something from another server.
        case drop(remote: Bool)
    }

    static let linkSchemes: Set<String> = ["http", "https", "mailto"]
    /// RFC 2397 data URLs of the raster image types mail uses; no SVG (it can hold scripts).
    static let imageDataPrefixes = [
        "image/png;base64,", "image/gif;base64,", "image/jpeg;base64,", "image/jpg;base64,",
        "image/webp;base64,",
    ]

    static func check(_ value: String, kind: Kind, options: HTMLSanitizer.Options) -> Verdict {
        let url = clean(value)
        guard let scheme = scheme(of: url) else {
            // "//host/x" and "\\host\x" are remote for the URL parser (§4.4 relative slash state).
            let remote = url.hasPrefix("//") || url.hasPrefix("\\\\") || url.hasPrefix("/\\") || url.hasPrefix("\\/")
            return .drop(remote: kind == .image && remote)
        }
        let rest = url.unicodeScalars.dropFirst(scheme.unicodeScalars.count + 1)
        switch (kind, scheme) {
        case (.link, _):
            return linkSchemes.contains(scheme) ? .keep(url) : .drop(remote: false)
        case (.image, "cid"):
            let contentID = percentDecoded(String(rest))
            guard let served = options.inlineImageURL(contentID) else { return .drop(remote: false) }
            return .inline(contentID: contentID, url: served)
        case (.image, "data"):
            let data = String(rest)
            let lowered = String(decoding: data.utf8.map(\.asciiLowercased), as: UTF8.self)
            guard let prefix = imageDataPrefixes.first(where: { lowered.hasPrefix($0) }) else { return .drop(remote: false) }
            let payload = data.utf8.dropFirst(prefix.utf8.count)
            let base64 = payload.allSatisfy { $0.isASCIIAlphanumeric || $0 == 0x2B || $0 == 0x2F || $0 == 0x3D }
            return base64 ? .keep("data:" + prefix + String(decoding: payload, as: UTF8.self)) : .drop(remote: false)
        case (.image, "http"), (.image, "https"):
            return options.allowRemoteContent ? .keep(url) : .drop(remote: true)
        default:
            return .drop(remote: false)
        }
    }

    /// Strips leading and trailing C0 controls and spaces and removes every tab, LF and CR.
    static func clean(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var start = 0
        var end = scalars.count
        while start < end, scalars[start].value <= 0x20 { start += 1 }
        while end > start, scalars[end - 1].value <= 0x20 { end -= 1 }
        var result = String.UnicodeScalarView()
        for scalar in scalars[start..<end] where scalar != "\t" && scalar != "\n" && scalar != "\r" {
            result.append(scalar)
        }
        return String(result)
    }

    /// The lower-case scheme, or nil for a URL without one (a relative URL).
    static func scheme(of url: String) -> String? {
        var scheme = ""
        for byte in url.utf8 {
            if byte == 0x3A { return scheme.isEmpty ? nil : scheme }
            let allowed =
                scheme.isEmpty ? byte.isASCIIAlpha : byte.isASCIIAlphanumeric || byte == 0x2B || byte == 0x2D || byte == 0x2E
            guard allowed else { return nil }
            scheme.append(Character(Unicode.Scalar(byte.asciiLowercased)))
        }
        return nil
    }

    /// `%XX` sequences decoded (RFC 3986 §2.1), the rest as is.
    static func percentDecoded(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x25, index + 2 < bytes.count, bytes[index + 1].isASCIIHexDigit,
                bytes[index + 2].isASCIIHexDigit
            {
                output.append(hexValue(bytes[index + 1]) << 4 | hexValue(bytes[index + 2]))
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8 {
        digit.isASCIIDigit ? digit - 0x30 : (digit | 0x20) - 0x61 + 10
    }
}
