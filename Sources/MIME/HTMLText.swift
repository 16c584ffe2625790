/// A plain-text rendering of HTML, good enough for searching and previews: tags removed, `script` and
/// `style` contents dropped, block elements on their own lines, character references decoded.
public enum HTMLText {
    public static func render(_ html: String) -> String {
        var out = ""
        var scalars = html.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "<":
                let tag = readTag(&scalars)
                if tag.name == "script" || tag.name == "style" {
                    skipElement(named: tag.name, in: &scalars)
                } else if blockElements.contains(tag.name), out.last != "\n", !out.isEmpty {
                    out.append("\n")
                }
            case "&":
                out.unicodeScalars.append(contentsOf: readReference(&scalars))
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static let blockElements: Set<String> = [
        "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote",
        "pre", "hr", "title",
    ]

    /// Consumes a tag up to `>` (comments up to `-->`) and returns its lowercase name without `/`.
    private static func readTag(_ scalars: inout Substring.UnicodeScalarView) -> (name: String, closing: Bool) {
        if scalars.starts(with: "!--".unicodeScalars) {
            if let end = scalars.firstRange(of: "-->".unicodeScalars) {
                scalars = scalars[end.upperBound...]
            } else {
                scalars = scalars[scalars.endIndex...]
            }
            return ("", false)
        }
        var name = ""
        var closing = false
        var inName = true
        while let scalar = scalars.popFirst(), scalar != ">" {
            if name.isEmpty && scalar == "/" {
                closing = true
            } else if inName && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) {
                name.unicodeScalars.append(scalar)
            } else {
                inName = name.isEmpty
            }
        }
        return (name.lowercased(), closing)
    }

    /// Skips to just after `</name ...>`, or to the end.
    private static func skipElement(named name: String, in scalars: inout Substring.UnicodeScalarView) {
        let closing = Array("/\(name)".unicodeScalars)
        while let open = scalars.firstIndex(of: "<") {
            scalars = scalars[scalars.index(after: open)...]
            let candidate = scalars.prefix(closing.count)
            if candidate.count == closing.count,
                zip(candidate, closing).allSatisfy({ $0.properties.lowercaseMapping == String($1) })
            {
                _ = readTag(&scalars)
                return
            }
        }
        scalars = scalars[scalars.endIndex...]
    }

    private static let namedReferences: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "euro": "€", "hellip": "…", "mdash": "—", "ndash": "–", "laquo": "«", "raquo": "»", "rsquo": "’",
        "lsquo": "‘", "rdquo": "”", "ldquo": "“", "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä",
        "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß", "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç",
    ]

    /// Decodes a character reference after `&` (`&name;`, `&#NN;`, `&#xHH;`); an unknown one stays as text.
    private static func readReference(_ scalars: inout Substring.UnicodeScalarView) -> [Unicode.Scalar] {
        guard let semicolon = scalars.prefix(10).firstIndex(of: ";") else { return ["&"] }
        let body = String(String.UnicodeScalarView(scalars[..<semicolon]))
        var decoded: Unicode.Scalar?
        if body.hasPrefix("#x") || body.hasPrefix("#X") {
            decoded = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
        } else if body.hasPrefix("#") {
            decoded = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init)
        } else {
            decoded = namedReferences[body]
        }
        guard let decoded else { return ["&"] }
        scalars = scalars[scalars.index(after: semicolon)...]
        return [decoded]
    }
}
