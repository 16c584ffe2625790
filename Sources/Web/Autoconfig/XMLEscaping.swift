/// Text made safe for XML 1.0 element content and attribute values.
enum XMLEscaping {
    /// Escapes the five markup characters (XML 1.0 §2.4: `<` and `&` always, `>`, `"` and `'` so
    /// the same text fits in any attribute) and replaces characters XML 1.0 §2.2 forbids (C0
    /// controls other than tab, LF and CR; U+FFFE, U+FFFF) with U+FFFD, so the document stays
    /// well-formed whatever the input.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// A small builder of indented XML: every text and attribute goes through `XMLEscaping`.
struct XMLWriter {
    private(set) var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private var open: [String] = []

    init() {}

    private var indent: String { String(repeating: "  ", count: open.count) }

    private static func tag(_ name: String, _ attributes: [(String, String)]) -> String {
        name + attributes.map { " \($0.0)=\"\(XMLEscaping.escape($0.1))\"" }.joined()
    }

    /// Opens `<name attributes>`; `close()` ends it.
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        text += "\(indent)<\(Self.tag(name, attributes))>\n"
        open.append(name)
    }

    /// `<name attributes>value</name>` on one line.
    mutating func element(_ name: String, _ value: String, _ attributes: [(String, String)] = []) {
        text += "\(indent)<\(Self.tag(name, attributes))>\(XMLEscaping.escape(value))</\(name)>\n"
    }

    /// A line of markup written as is (a plist's `<true/>`).
    mutating func raw(_ markup: String) {
        text += "\(indent)\(markup)\n"
    }

    /// Closes the innermost open element.
    mutating func close() {
        let name = open.removeLast()
        text += "\(indent)</\(name)>\n"
    }
}
