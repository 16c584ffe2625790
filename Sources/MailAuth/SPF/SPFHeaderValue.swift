/// Text forms shared by the SPF header fields (RFC 5322 §3.2).
enum SPFHeaderValue {
    /// `dot-atom` when the text is one (RFC 5322 §3.2.3), else a `quoted-string` (§3.2.4)
    /// with `"` and `\` escaped; other characters outside printable ASCII become `?`.
    static func atomOrQuoted(_ text: String) -> String {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        if !text.isEmpty, atoms.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy(isAtext) }) { return text }
        return quoted(text)
    }

    /// A `quoted-string` (RFC 5322 §3.2.4).
    static func quoted(_ text: String) -> String { "\"" + printable(text, escaping: "\"\\") + "\"" }

    /// The text of a comment (RFC 5322 §3.2.2), with `(`, `)` and `\` escaped.
    static func comment(_ text: String) -> String { "(" + printable(text, escaping: "()\\") + ")" }

    private static func printable(_ text: String, escaping special: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if special.unicodeScalars.contains(scalar) {
                result += "\\" + String(scalar)
            } else {
                result.unicodeScalars.append((0x20...0x7E).contains(scalar.value) ? scalar : "?")
            }
        }
        return result
    }

    /// RFC 5322 §3.2.3 `atext`.
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }

    /// Folds a header field before spaces so that lines keep within 78 characters where a
    /// space allows it (RFC 5322 §2.1.1, §2.2.3); unfolding gives back `field`.
    static func folded(_ field: String) -> String {
        var lines: [Substring] = []
        var line = Substring("")
        for word in field.split(separator: " ", omittingEmptySubsequences: false) {
            if line.isEmpty && lines.isEmpty {
                line = word
            } else if line.count + 1 + word.count > 78 {
                lines.append(line)
                line = " " + word
            } else {
                line += " " + word
            }
        }
        return (lines + [line]).joined(separator: "\r\n")
    }
}
