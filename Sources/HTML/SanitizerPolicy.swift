/// What the sanitiser keeps: an allowlist of elements and, per element, of attributes.
/// docs/html-sanitiser.md explains each choice.
enum SanitizerPolicy {
    enum Disposition {
        /// Written out, with its allowed attributes.
        case keep
        /// Left out with everything inside it: its content is not text a reader should see (scripts,
        /// styles, SVG, MathML, embedded documents and objects, form controls that hold values, metadata).
        case drop
    }

    /// Elements kept. Anything not here and not in `dropped` is unwrapped: its tags are ignored and
    /// its content kept (custom tags, `form`, `label`, `button`, `font`-like obsolete containers…).
    static let kept: Set<String> = [
        "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br",
        "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt",
        "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
        "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
        "samp", "section", "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
    ]

    /// Elements left out with their content.
    static let dropped: Set<String> = [
        // Script and style, and the raw text elements whose content is markup-looking text.
        "script", "style", "noscript", "template", "title", "xmp", "plaintext", "noembed", "noframes",
        "textarea",
        // Foreign content: scripts, event handlers, links and styles of their own.
        "svg", "math",
        // Embedded documents, plugins and media that load on their own.
        "iframe", "frame", "frameset", "object", "embed", "applet", "param", "portal", "fencedframe", "canvas",
        "audio", "video", "source", "track", "picture", "map", "area", "image", "bgsound",
        // Document metadata: base URL, refresh, stylesheets, icons.
        "base", "meta", "link", "basefont",
        // Form controls whose content is a value, not text.
        "input", "select", "datalist", "keygen", "isindex", "menuitem",
    ]

    static func disposition(of name: String) -> Disposition? {
        if kept.contains(name) { return .keep }
        if dropped.contains(name) { return .drop }
        return nil
    }

    /// Attributes every kept element may have. No `id`, `name` or `class`: ids and names become
    /// `window` and `document` properties in the page (DOM clobbering) and classes would pick up the
    /// webmail's own styles.
    static let globalAttributes: Set<String> = ["title", "lang", "dir", "style", "align"]

    /// Attributes per element, beyond the global ones. URL attributes (`href`, `src`, `background`)
    /// are checked by `URLFilter`.
    static let elementAttributes: [String: Set<String>] = [
        "a": ["href"],
        "img": ["src", "alt", "width", "height", "border", "hspace", "vspace", "valign"],
        "table": [
            "width", "height", "border", "cellpadding", "cellspacing", "bgcolor", "background", "summary", "frame",
            "rules",
        ],
        "td": ["width", "height", "colspan", "rowspan", "bgcolor", "background", "valign", "nowrap", "scope", "abbr"],
        "th": ["width", "height", "colspan", "rowspan", "bgcolor", "background", "valign", "nowrap", "scope", "abbr"],
        "tr": ["bgcolor", "background", "valign", "height"],
        "tbody": ["bgcolor", "valign"], "thead": ["bgcolor", "valign"], "tfoot": ["bgcolor", "valign"],
        "col": ["span", "width", "valign", "bgcolor"], "colgroup": ["span", "width", "valign", "bgcolor"],
        "font": ["color", "face", "size"],
        "ol": ["start", "type", "reversed"], "ul": ["type"], "li": ["value", "type"],
        "hr": ["width", "size", "noshade", "color"],
        "br": ["clear"], "pre": ["width"],
        "del": ["datetime"], "ins": ["datetime"], "time": ["datetime"],
        "details": ["open"],
        "div": ["bgcolor"], "p": ["bgcolor"], "center": ["bgcolor"],
    ]

    /// Attributes whose value is a URL, and what the URL is for.
    static func urlKind(of attribute: String, on element: String) -> URLFilter.Kind? {
        switch attribute {
        case "href": .link
        case "src", "background": .image
        default: nil
        }
    }

    static func allows(_ attribute: String, on element: String) -> Bool {
        globalAttributes.contains(attribute) || elementAttributes[element]?.contains(attribute) == true
    }
}
