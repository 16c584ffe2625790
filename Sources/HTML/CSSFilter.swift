/// Filters a `style` attribute: its declarations (CSS Syntax §5.4.5 "consume a list of declarations")
/// are kept only when the property is allowed and every token of the value is harmless, and the kept
/// ones are written back from their tokens, so the output says exactly what was checked.
struct CSSFilter {
    let options: HTMLSanitizer.Options
    /// Set when a declaration was dropped for a remote `url()`.
    private(set) var blockedRemoteContent = false
    /// `cid:` content-ids referenced from kept `url()`s.
    private(set) var inlineImages: [String] = []

    init(options: HTMLSanitizer.Options) {
        self.options = options
    }

    /// Properties kept as they are (lower-case).
    static let properties: Set<String> = [
        "color", "background-color", "background", "background-image", "background-repeat", "background-position",
        "background-size", "opacity", "font", "font-family", "font-size", "font-style", "font-weight",
        "font-variant", "font-stretch", "line-height", "letter-spacing", "word-spacing", "text-align",
        "text-decoration", "text-decoration-line", "text-decoration-color", "text-decoration-style", "text-indent",
        "text-transform", "text-shadow", "text-overflow", "white-space", "word-wrap", "word-break",
        "overflow-wrap", "hyphens", "direction", "unicode-bidi", "vertical-align", "width", "height", "max-width",
        "min-width", "max-height", "min-height", "box-sizing", "display", "float", "clear", "overflow",
        "overflow-x", "overflow-y", "visibility", "list-style", "list-style-type", "list-style-position",
        "list-style-image", "table-layout", "border-collapse", "border-spacing", "caption-side", "empty-cells",
        "outline", "outline-color", "outline-style", "outline-width", "position",
    ]

    /// Property families kept by prefix: `margin`, `margin-top`…
    static let propertyPrefixes = ["margin", "padding", "border"]

    /// Functions a value may call: colours, arithmetic, gradients, and `url()` (checked). Not `var()`,
    /// `env()`, `attr()` (they read the page), `expression()` (old IE script), `image-set()` (URLs in
    /// strings).
    static let functions: Set<String> = [
        "rgb", "rgba", "hsl", "hsla", "hwb", "calc", "min", "max", "clamp", "linear-gradient", "radial-gradient",
        "repeating-linear-gradient", "repeating-radial-gradient", "url",
    ]

    /// Properties whose value may hold a `url()`.
    static let urlProperties: Set<String> = ["background", "background-image", "list-style", "list-style-image"]

    static func allows(property: String) -> Bool {
        properties.contains(property)
            || propertyPrefixes.contains { property == $0 || property.hasPrefix($0 + "-") }
    }

    /// The filtered declarations, `name: value` joined by `; `, or "" when none is kept.
    mutating func filter(_ style: String) -> String {
        let tokens = CSSTokenizer.tokenize(style)
        var kept: [String] = []
        var declaration: [CSSToken] = []
        var depth = 0
        for token in tokens {
            switch token {
            case .function, .open: depth += 1
            case .close: depth = max(0, depth - 1)
            case .semicolon where depth == 0:
                if let text = check(declaration) { kept.append(text) }
                declaration.removeAll()
                continue
            default: break
            }
            declaration.append(token)
        }
        if let text = check(declaration) { kept.append(text) }
        return kept.joined(separator: "; ")
    }

    /// One declaration's tokens (without the `;`), written back if kept.
    private mutating func check(_ tokens: [CSSToken]) -> String? {
        var index = 0
        func skipWhitespace() { while index < tokens.count, tokens[index] == .whitespace { index += 1 } }
        skipWhitespace()
        guard index < tokens.count, case .ident(let rawName) = tokens[index] else { return nil }
        let name = rawName.lowercased()
        index += 1
        skipWhitespace()
        guard index < tokens.count, tokens[index] == .colon, Self.allows(property: name) else { return nil }
        index += 1
        var value = Array(tokens[index...])
        while value.first == .whitespace { value.removeFirst() }
        while value.last == .whitespace { value.removeLast() }
        guard !value.isEmpty else { return nil }
        if name == "position" {
            // Only the values that leave the box in the flow: no fixed/absolute overlays, no sticky.
            guard value.count == 1, case .ident(let position) = value[0],
                ["static", "relative"].contains(position.lowercased())
            else { return nil }
        }
        if name.hasPrefix("margin"), !allowsMargin(value) { return nil }
        var output = name + ": "
        var depth = 0
        var position = 0
        while position < value.count {
            let token = value[position]
            position += 1
            switch token {
            case .whitespace: output += " "
            case .ident(let ident): output += Self.serializeIdentifier(ident)
            case .number(let number): output += number
            case .percentage(let number): output += number + "%"
            case .dimension(let number, let unit): output += number + Self.serializeIdentifier(unit)
            case .hash(let hash): output += "#" + Self.serializeName(hash)
            case .string(let string): output += Self.serializeString(string)
            case .comma: output += ","
            case .delim(let scalar):
                guard "/+-*.!%".unicodeScalars.contains(scalar) else { return nil }
                output.unicodeScalars.append(scalar)
            case .function(let function):
                let lowered = function.lowercased()
                guard Self.functions.contains(lowered) else { return nil }
                if lowered == "url" {
                    // url("…"): a string and `)`.
                    var rest = value[position...].drop { $0 == .whitespace }
                    guard case .string(let url)? = rest.first else { return nil }
                    rest = rest.dropFirst().drop { $0 == .whitespace }
                    guard rest.first == .close(")") else { return nil }
                    guard let written = checkURL(url, property: name) else { return nil }
                    output += written
                    position = rest.startIndex + 1
                    continue
                }
                output += lowered + "("
                depth += 1
            case .close(")") where depth > 0:
                output += ")"
                depth -= 1
            case .url(let url):
                guard let written = checkURL(url, property: name) else { return nil }
                output += written
            default:
                // At-keywords, bad strings and URLs, blocks, stray `:` or `)`.
                return nil
            }
        }
        return depth == 0 ? output : nil
    }

    /// Margins may not be negative (a negative margin pulls the mail over the page around it).
    private func allowsMargin(_ value: [CSSToken]) -> Bool {
        value.allSatisfy { token in
            switch token {
            case .number(let number), .percentage(let number), .dimension(let number, _): !number.hasPrefix("-")
            case .ident, .whitespace: true
            default: false
            }
        }
    }

    private mutating func checkURL(_ url: String, property: String) -> String? {
        guard Self.urlProperties.contains(property) else { return nil }
        switch URLFilter.check(url, kind: .image, options: options) {
        case .keep(let kept):
            return "url(" + Self.serializeString(kept) + ")"
        case .inline(let contentID, let served):
            inlineImages.append(contentID)
            return "url(" + Self.serializeString(served) + ")"
        case .drop(let remote):
            if remote { blockedRemoteContent = true }
            return nil
        }
    }

    // MARK: Writing tokens (CSSOM §2.1 "serialize an identifier"/"serialize a string", escaping more)

    /// Letters, digits, `-`, `_` and non-ASCII as they are; anything else (and a leading digit) escaped.
    static func serializeIdentifier(_ ident: String) -> String {
        var output = ""
        for (offset, scalar) in ident.unicodeScalars.enumerated() {
            let leadingDigit =
                CSSTokenizer.isDigit(scalar)
                && (offset == 0 || (offset == 1 && ident.unicodeScalars.first == "-"))
            if leadingDigit {
                output += "\\" + String(scalar.value, radix: 16) + " "
            } else {
                output += serializeName(String(scalar))
            }
        }
        return output
    }

    static func serializeName(_ name: String) -> String {
        var output = ""
        for scalar in name.unicodeScalars {
            if CSSTokenizer.isNameCharacter(scalar) && scalar != "\u{FFFD}" {
                output.unicodeScalars.append(scalar)
            } else {
                output += "\\" + String(scalar.value, radix: 16) + " "
            }
        }
        return output
    }

    /// A double-quoted string; quotes, backslashes, controls and `<`, `>`, `&` as hex escapes.
    static func serializeString(_ string: String) -> String {
        var output = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"", "\\", "<", ">", "&":
                output += "\\" + String(scalar.value, radix: 16) + " "
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\" + String(scalar.value, radix: 16) + " "
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
