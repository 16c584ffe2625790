/// Makes an HTML mail body safe to show inside a web page (webmail): parses it as a browser would
/// (`HTMLParser`), keeps only allowlisted elements, attributes, URLs and CSS declarations
/// (`SanitizerPolicy`, `URLFilter`, `CSSFilter`) and writes its own tree out (`HTMLSerializer`), so
/// that what a browser parses from the output is the tree that was checked. docs/html-sanitiser.md
/// lists what is kept and dropped and why.
///
/// Bounded: the input is cut at `maxInputBytes`, the tree at `maxDepth` and `maxNodes`; every step is
/// linear in the input (an end tag searches at most `maxDepth` open elements).
public struct HTMLSanitizer: Sendable {
    public struct Options: Sendable {
        /// Load remote images/CSS (http/https URLs in img src, background, CSS url()). false: drop them
        /// and report `blockedRemoteContent = true`.
        public var allowRemoteContent: Bool = false
        /// Rewrites a `cid:` URL's content-id (without "cid:", percent-decoded) to the URL the page serves it
        /// at; nil = drop the image.
        public var inlineImageURL: @Sendable (String) -> String? = { _ in nil }
        public var maxInputBytes = 8 << 20, maxDepth = 256, maxNodes = 200_000
        public init() {}
    }

    public let options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public func sanitize(_ html: String) -> SanitizedHTML {
        let limits = HTMLParseLimits(
            maxInputBytes: options.maxInputBytes, maxDepth: options.maxDepth, maxNodes: options.maxNodes)
        // Unwrapped elements are left out while parsing (their tags ignored), not afterwards: the tree
        // is then one the parser builds again from the output (an `<h2>` inside an unwrapped element
        // inside an `<h1>` would otherwise be written as `<h1><h2>`, which parses as two siblings).
        let document = HTMLParser.parse(html, limits: limits, ignoring: { SanitizerPolicy.disposition(of: $0) == nil })
        var cleaner = Cleaner(options: options)
        let nodes = cleaner.clean(document.children)
        var seen: Set<String> = []
        let inline = cleaner.inlineImages.filter { seen.insert($0).inserted }
        return SanitizedHTML(
            html: HTMLSerializer.serialize(nodes), blockedRemoteContent: cleaner.blockedRemoteContent,
            inlineImages: inline, truncated: document.truncated)
    }

    /// The sanitiser's own pass over the parsed tree: the same policy, returning the tree it keeps
    /// (tests compare it with a parse of the output).
    func sanitizedTree(_ html: String) -> [HTMLNode] {
        let limits = HTMLParseLimits(
            maxInputBytes: options.maxInputBytes, maxDepth: options.maxDepth, maxNodes: options.maxNodes)
        let document = HTMLParser.parse(html, limits: limits, ignoring: { SanitizerPolicy.disposition(of: $0) == nil })
        var cleaner = Cleaner(options: options)
        return cleaner.clean(document.children)
    }
}

/// The result of `HTMLSanitizer.sanitize`.
public struct SanitizedHTML: Sendable, Equatable {
    /// A body fragment, safe to put in a document.
    public var html: String
    /// Something remote (an http(s) image, background or CSS `url()`) was dropped.
    public var blockedRemoteContent: Bool
    /// The content-ids of the `cid:` images kept, in order of first use.
    public var inlineImages: [String]
    /// The input exceeded `maxInputBytes` or `maxNodes`: `html` holds its start only.
    public var truncated: Bool

    public init(html: String, blockedRemoteContent: Bool, inlineImages: [String], truncated: Bool = false) {
        self.html = html
        self.blockedRemoteContent = blockedRemoteContent
        self.inlineImages = inlineImages
        self.truncated = truncated
    }
}

/// Applies `SanitizerPolicy` to a tree.
private struct Cleaner {
    let options: HTMLSanitizer.Options
    var blockedRemoteContent = false
    var inlineImages: [String] = []

    init(options: HTMLSanitizer.Options) {
        self.options = options
    }

    /// The kept nodes. Text next to text (after a dropped element or comment) joins it, as a parser
    /// would join it; runs are collected in one string, so many small pieces cost linear time.
    mutating func clean(_ nodes: [HTMLNode]) -> [HTMLNode] {
        var output: [HTMLNode] = []
        var text = ""
        func flush() {
            if !text.isEmpty { output.append(.text(text)) }
            text = ""
        }
        for node in nodes {
            switch node {
            case .comment:
                // Comments are dropped (Outlook's `<!--[if mso]>` blocks included).
                continue
            case .text(let run):
                text += run
            case .element(let element):
                switch SanitizerPolicy.disposition(of: element.name) {
                case .drop:
                    continue
                case .keep:
                    if let kept = clean(element) {
                        flush()
                        output.append(.element(kept))
                    }
                case nil:
                    // Not reached for trees from `HTMLParser` with the sanitiser's `ignoring`: unwrap.
                    for child in clean(element.children) {
                        if case .text(let run) = child {
                            text += run
                        } else {
                            flush()
                            output.append(child)
                        }
                    }
                }
            }
        }
        flush()
        return output
    }

    private mutating func clean(_ element: HTMLElement) -> HTMLElement? {
        var attributes: [HTMLAttribute] = []
        for attribute in element.attributes where SanitizerPolicy.allows(attribute.name, on: element.name) {
            if attribute.name == "style" {
                var filter = CSSFilter(options: options)
                let style = filter.filter(attribute.value)
                blockedRemoteContent = blockedRemoteContent || filter.blockedRemoteContent
                inlineImages += filter.inlineImages
                if !style.isEmpty { attributes.append(HTMLAttribute(name: "style", value: style)) }
            } else if let kind = SanitizerPolicy.urlKind(of: attribute.name, on: element.name) {
                switch URLFilter.check(attribute.value, kind: kind, options: options) {
                case .keep(let url):
                    attributes.append(HTMLAttribute(name: attribute.name, value: url))
                case .inline(let contentID, let url):
                    inlineImages.append(contentID)
                    attributes.append(HTMLAttribute(name: attribute.name, value: url))
                case .drop(let remote):
                    if remote { blockedRemoteContent = true }
                }
            } else {
                attributes.append(attribute)
            }
        }
        // An image with nothing to show is left out rather than shown broken.
        if element.name == "img", !attributes.contains(where: { $0.name == "src" }) { return nil }
        if element.name == "a" {
            // Links open outside the webmail page, which they can neither see (noopener) nor tell the
            // target about (noreferrer).
            attributes.append(HTMLAttribute(name: "target", value: "_blank"))
            attributes.append(HTMLAttribute(name: "rel", value: "noreferrer noopener"))
        }
        return HTMLElement(name: element.name, attributes: attributes, children: clean(element.children))
    }
}
