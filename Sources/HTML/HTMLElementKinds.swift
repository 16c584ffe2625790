/// The element categories the tree builder needs (WHATWG HTML §13.1.2, §13.2.4.2, §13.2.6.4.7).
enum HTMLElementKinds {
    /// §13.1.2 void elements, plus the obsolete `image` and `isindex` (which browsers rewrite into other
    /// void elements): no content, no end tag.
    static let void: Set<String> = [
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input",
        "isindex", "keygen", "link", "meta", "param", "source", "track", "wbr",
    ]

    /// §13.2.6.4.7: whose start tag switches the tokenizer, and to what.
    static func textState(for name: String) -> HTMLTokenizer.State? {
        switch name {
        case "title", "textarea": .rcdata
        case "style", "xmp", "iframe", "noembed", "noframes", "noscript": .rawtext
        case "script": .scriptData
        case "plaintext": .plaintext
        default: nil
        }
    }

    /// Start tags that close an open `p` first (§13.2.6.4.7 "close a p element" in button scope).
    static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "ul", "li",
        "dd", "dt", "plaintext", "listing", "xmp", "search",
    ]

    static let headings: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]

    /// §13.2.4.2 "has an element in scope": an end tag or implied close does not reach past these.
    static let scopeBoundaries: Set<String> = [
        "applet", "caption", "table", "td", "th", "marquee", "object", "template",
    ]

    /// Where the search for an open `li`, `dd` or `dt` stops (§13.2.6.4.7: the special elements except
    /// address, div and p; reduced to the ones that hold lists).
    static let listItemBoundaries: Set<String> = [
        "ul", "ol", "dl", "menu", "dir", "table", "td", "th", "caption", "object", "applet", "marquee", "template",
        "blockquote",
    ]

    /// Parts of a table: their start tags are ignored with no open `table` (§13.2.6.4.7).
    static let tableParts: Set<String> = ["caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th"]

    /// §13.2.6.5: these start tags (and `font` with color, face or size) leave SVG and MathML.
    static let foreignBreakouts: Set<String> = [
        "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "h1",
        "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol", "p",
        "pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var",
    ]
}
