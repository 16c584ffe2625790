import Foundation

#if canImport(CoreFoundation)
    import CoreFoundation
#endif

/// Conversion of bytes in a named charset (IANA names, case-insensitive) to Swift strings.
public enum Charset {
    /// Decodes `bytes` in `charset`. Unknown charsets and bytes invalid in the charset fall back to UTF-8
    /// with replacement characters, so decoding never fails.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String) -> String {
        let name = canonicalName(charset)
        switch name {
        case "utf-8", "us-ascii", "": return String(decoding: bytes, as: UTF8.self)
        case "euc-jp": return EUCJP.decode(Array(bytes))
        default: break
        }
        if let encoding = encoding(named: name), let string = String(bytes: bytes, encoding: encoding) {
            return string
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `decode` knows this charset (rather than falling back to UTF-8).
    public static func isSupported(_ charset: String) -> Bool {
        let name = canonicalName(charset)
        return ["utf-8", "us-ascii", "euc-jp"].contains(name) || encoding(named: name) != nil
    }

    /// Lowercased name with RFC 2231 §5 `*language` removed and common aliases mapped to the charset
    /// that mail software actually produces under that label (a superset where senders mislabel).
    static func canonicalName(_ charset: String) -> String {
        var name = charset.lowercased().trimmingCharacters(in: .whitespaces)
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        switch name {
        case "utf8", "unicode-1-1-utf-8": return "utf-8"
        case "ascii", "us_ascii", "ansi_x3.4-1968", "iso646-us": return "us-ascii"
        case "latin1", "iso8859-1", "iso_8859-1", "iso-8859-1", "l1": return "windows-1252"
        case "gb2312", "gbk", "cp936", "x-gbk", "euc-cn": return "gb18030"
        case "sjis", "x-sjis", "shift-jis", "ms_kanji", "cp932", "windows-31j": return "shift_jis"
        case "x-euc-jp", "eucjp": return "euc-jp"
        case "ks_c_5601-1987", "cp949", "ks_c_5601": return "euc-kr"
        case "big5-hkscs", "x-big5", "cn-big5": return "big5"
        default:
            if name.hasPrefix("cp125"), name.count == 6 { return "windows-" + name.dropFirst(2) }
            if name.hasPrefix("iso8859-") { return "iso-8859-" + name.dropFirst(8) }
            return name
        }
    }

    private static func encoding(named name: String) -> String.Encoding? {
        let cf = CFStringConvertIANACharSetNameToEncoding(unsafeBitCast(NSString(string: name), to: CFString.self))
        guard cf != kCFStringEncodingInvalidId else { return nil }
        return String.Encoding(rawValue: CFStringConvertEncodingToNSStringEncoding(cf))
    }
}
