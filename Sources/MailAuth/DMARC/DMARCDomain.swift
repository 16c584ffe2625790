import Foundation

/// A domain name as DMARC compares and looks it up: ASCII, lower case (comparisons are
/// case-insensitive, RFC 9989 §4.4 citing RFC 4343), U-labels converted to A-labels (§5.3.1,
/// RFC 5890 §2.3), no trailing dot, labels of 1–63 octets, 253 octets at most.
public struct DMARCDomain: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalized name, e.g. `mail.example.com` or `xn--bcher-kva.example`.
    public let name: String

    /// Normalizes `text`; nil when it is not a usable domain name (empty, an empty label, a label
    /// over 63 octets, over 253 octets, or octets other than letters, digits, `-` and `_`).
    public init?(_ text: String) {
        guard text.utf8.count <= 1024 else { return nil }
        // IDNA2008 (RFC 5895 §2) maps the ideographic and fullwidth full stops to ".".
        var text = String(text.map { "\u{3002}\u{FF0E}\u{FF61}".contains($0) ? "." : $0 })
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty else { return nil }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let ascii = Self.asciiLabel(String(label)) else { return nil }
            labels.append(ascii)
        }
        let name = labels.joined(separator: ".")
        guard name.utf8.count <= 253 else { return nil }
        self.name = name
    }

    private init(checked name: String) { self.name = name }

    public var description: String { name }

    public static func < (lhs: DMARCDomain, rhs: DMARCDomain) -> Bool { lhs.name < rhs.name }

    /// The labels, left to right.
    public var labels: [Substring] { name.split(separator: ".") }

    public var labelCount: Int { name.utf8.reduce(1) { $1 == UInt8(ascii: ".") ? $0 + 1 : $0 } }

    /// The name without its left-most label; nil for a one-label name.
    public var parent: DMARCDomain? {
        guard let dot = name.firstIndex(of: ".") else { return nil }
        return DMARCDomain(checked: String(name[name.index(after: dot)...]))
    }

    /// The right-most `count` labels (the whole name when it has fewer).
    public func lastLabels(_ count: Int) -> DMARCDomain {
        let labels = self.labels
        guard count < labels.count else { return self }
        return DMARCDomain(checked: labels.suffix(max(1, count)).joined(separator: "."))
    }

    /// True when `self` is `other` or below it.
    public func isSameOrSubdomain(of other: DMARCDomain) -> Bool {
        name == other.name || name.hasSuffix("." + other.name)
    }

    /// A label in A-label form, lower case; nil when it cannot be one.
    static func asciiLabel(_ label: String) -> String? {
        guard !label.isEmpty else { return nil }
        let ascii: String
        if label.unicodeScalars.allSatisfy(\.isASCII) {
            ascii = label.lowercased()
        } else {
            // RFC 5891 §5: the U-label in Unicode NFC, lower case, then Punycode (RFC 3492).
            let unicode = label.lowercased().precomposedStringWithCanonicalMapping
            guard let encoded = Punycode.encode(Array(unicode.unicodeScalars)) else { return nil }
            ascii = "xn--" + encoded
        }
        guard ascii.utf8.count <= 63,
            ascii.utf8.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        return ascii
    }

    private static func isLetterOrDigit(_ octet: UInt8) -> Bool {
        (0x61...0x7A).contains(octet) || (0x30...0x39).contains(octet)
    }
}

/// The Punycode encoder of RFC 3492 §6.3, for turning U-labels into A-labels.
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700

    /// The encoding of `input` (without the `xn--` prefix); nil on overflow (§6.4) or for input
    /// too long to be a label anyway.
    static func encode(_ input: [Unicode.Scalar]) -> String? {
        guard input.count <= 63 else { return nil }
        var output: [UInt8] = input.filter(\.isASCII).map { UInt8($0.value) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }
        var n = 0x80
        var delta = 0
        var bias = 72
        let codes = input.map { Int($0.value) }
        while handled < codes.count {
            guard let m = codes.filter({ $0 >= n }).min() else { return nil }
            let (scaled, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - scaled else { return nil }
            delta += scaled
            n = m
            for code in codes {
                if code < n { delta += 1 }
                guard code == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta, points: handled + 1, first: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(ascii: "a") + UInt8(value) : UInt8(ascii: "0") + UInt8(value - 26)
    }

    /// Bias adaptation (§6.1).
    private static func adapt(_ delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + ((base - tMin + 1) * delta) / (delta + skew)
    }
}
