/// Parses HTML into an `HTMLDocument` with a simplified version of the HTML tree construction
/// algorithm (WHATWG HTML §13.2.6), enough for mail bodies and stable under its own serialisation.
///
/// What it does as browsers do: void elements; RCDATA/RAWTEXT/script/PLAINTEXT elements switch the
/// tokenizer; start tags that close an open `p`, `li`, `dd`/`dt`, heading, `a`, `option`, table
/// cell, row or section; end tags close the nearest open element of their name, not past a scope
/// boundary (table, cell, caption, object…); stray end tags are ignored; the newline right after `<pre>`,
/// `<listing>` or `<textarea>` is dropped; in SVG and MathML self-closing tags count, CDATA is text and
/// the HTML breakout tags leave foreign content.
///
/// Simplifications (documented in docs/html-sanitiser.md): `html`, `head` and `body` are not elements
/// (their content is the fragment); no insertion modes, so no implied `tbody`/`tr`, no foster parenting
/// of text inside tables, no adoption agency (`</b>` closes the open `b` and all inside it), no
/// reconstruction of formatting elements; `</p>` and `</br>` without a start are ignored; the HTML
/// integration points of foreign content are not special. Limits: input bytes, depth (a start tag
/// deeper than `maxDepth` is ignored and its content joins the parent) and nodes (parsing stops).
public enum HTMLParser {
    public static func parse(_ html: String, limits: HTMLParseLimits = HTMLParseLimits()) -> HTMLDocument {
        parse(html, limits: limits, ignoring: { _ in false })
    }

    /// As `parse`, ignoring the start and end tags of HTML elements for which `ignoring` is true (their
    /// content is kept): the sanitiser unwraps elements this way before the tree is built, so that the
    /// tree it writes out is the tree a parser builds from what it wrote.
    static func parse(_ html: String, limits: HTMLParseLimits, ignoring: @escaping (String) -> Bool) -> HTMLDocument {
        let (bytes, cut) = preprocess(html, maxBytes: limits.maxInputBytes)
        var builder = HTMLTreeBuilder(limits: limits, ignoring: ignoring)
        var tokenizer = HTMLTokenizer(bytes)
        while !builder.stopped, let token = tokenizer.next() {
            builder.process(token, tokenizer: &tokenizer)
        }
        return HTMLDocument(children: builder.finish(), truncated: cut || builder.stopped)
    }

    /// §13.2.3.5: CR LF and lone CR become LF. The input is cut at `maxBytes`, at a character boundary.
    static func preprocess(_ html: String, maxBytes: Int) -> (bytes: [UInt8], truncated: Bool) {
        var bytes: [UInt8] = []
        let utf8 = html.utf8
        var limit = min(utf8.count, max(0, maxBytes))
        let truncated = limit < utf8.count
        bytes.reserveCapacity(limit)
        var previousWasCR = false
        var index = utf8.startIndex
        if truncated {
            // Back up to the first byte of a character (not a 10xxxxxx continuation byte).
            while limit > 0, utf8[utf8.index(utf8.startIndex, offsetBy: limit)] & 0xC0 == 0x80 { limit -= 1 }
        }
        var remaining = limit
        while remaining > 0 {
            let byte = utf8[index]
            index = utf8.index(after: index)
            remaining -= 1
            if byte == 0x0D {
                bytes.append(0x0A)
                previousWasCR = true
                continue
            }
            if byte == 0x0A, previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            bytes.append(byte)
        }
        return (bytes, truncated)
    }
}

/// The stack of open elements and the rules that place each token (see `HTMLParser`).
struct HTMLTreeBuilder {
    private struct Open {
        var element: HTMLElement
        /// SVG or MathML (or inside one): §13.2.6.5 rules.
        var foreign: Bool
    }

    private let limits: HTMLParseLimits
    private let ignoring: (String) -> Bool
    /// The root (index 0, never popped) and the open elements.
    private var stack = [Open(element: HTMLElement(name: ""), foreign: false)]
    /// How many of each name are open, so a stray end tag costs no stack walk.
    private var openCounts: [String: Int] = [:]
    /// Character tokens not yet made a text node (adjacent runs join into one node).
    private var pendingText: [UInt8] = []
    private var nodeCount = 0
    /// The next character token's leading LF is dropped (after `<pre>`, `<listing>`, `<textarea>`).
    private var dropLeadingNewline = false
    /// The content of a raw text element too deep to open is dropped.
    private var discardText = false
    private(set) var stopped = false

    init(limits: HTMLParseLimits, ignoring: @escaping (String) -> Bool) {
        self.limits = limits
        self.ignoring = ignoring
    }

    mutating func process(_ token: HTMLToken, tokenizer: inout HTMLTokenizer) {
        let dropNewline = dropLeadingNewline
        dropLeadingNewline = false
        switch token {
        case .doctype:
            break
        case .comment(let text):
            flushText()
            append(.comment(text))
        case .text(let bytes):
            if discardText {
                discardText = false
                return
            }
            if dropNewline, bytes.first == 0x0A {
                pendingText.append(contentsOf: bytes.dropFirst())
            } else {
                pendingText.append(contentsOf: bytes)
            }
        case .startTag(let name, let attributes, let selfClosing):
            startTag(name, attributes: attributes, selfClosing: selfClosing, tokenizer: &tokenizer)
        case .endTag(let name):
            endTag(name)
        }
        tokenizer.allowsCDATA = stack[stack.count - 1].foreign
    }

    /// Closes everything and returns the root's children.
    mutating func finish() -> [HTMLNode] {
        flushText()
        while stack.count > 1 { pop() }
        return stack[0].element.children
    }

    // MARK: Start tags

    private mutating func startTag(
        _ name: String, attributes: [HTMLAttribute], selfClosing: Bool, tokenizer: inout HTMLTokenizer
    ) {
        if stack[stack.count - 1].foreign {
            let breaksOut =
                HTMLElementKinds.foreignBreakouts.contains(name)
                || (name == "font" && attributes.contains { ["color", "face", "size"].contains($0.name) })
            if !breaksOut {
                // §13.2.6.5: any other start tag opens a foreign element; "/>" closes it. Too deep: ignored.
                guard stack.count <= limits.maxDepth else { return }
                open(HTMLElement(name: name, attributes: attributes), foreign: true, void: selfClosing)
                return
            }
            flushText()
            while stack.count > 1, stack[stack.count - 1].foreign { pop() }
        }
        if name == "html" || name == "head" || name == "body" || ignoring(name) { return }
        if HTMLElementKinds.tableParts.contains(name) {
            guard openCounts["table", default: 0] > 0 else { return }
            closeForTablePart(name)
        }
        impliedCloses(before: name)
        let textState = HTMLElementKinds.textState(for: name)
        guard stack.count <= limits.maxDepth else {
            // Too deep: the element is not opened; a raw text element's content is dropped with it.
            if let textState {
                tokenizer.state = textState
                tokenizer.lastStartTag = Array(name.utf8)
                discardText = true
            }
            return
        }
        let isVoid = HTMLElementKinds.void.contains(name)
        let foreign = name == "svg" || name == "math"
        open(HTMLElement(name: name, attributes: attributes), foreign: foreign, void: isVoid || (foreign && selfClosing))
        if isVoid || (foreign && selfClosing) { return }
        if let textState {
            tokenizer.state = textState
            tokenizer.lastStartTag = Array(name.utf8)
        }
        if name == "pre" || name == "listing" || name == "textarea" { dropLeadingNewline = true }
    }

    /// §13.2.6.4.7 rules that close open elements before a start tag opens its own.
    private mutating func impliedCloses(before name: String) {
        switch name {
        case "li":
            closeListItem(named: ["li"])
        case "dd", "dt":
            closeListItem(named: ["dd", "dt"])
        case "a":
            // An open `a` is closed by the next `a` (what the adoption agency ends up doing).
            if let index = openIndex(of: "a", boundaries: HTMLElementKinds.scopeBoundaries) { popTo(index) }
        case "option", "optgroup":
            if currentName == "option" { popTo(stack.count - 1) }
        case "table":
            // A table directly inside a table's structure closes the first one ("in table" mode).
            if ["table", "tbody", "thead", "tfoot", "tr"].contains(currentName),
                let index = openIndex(of: "table", boundaries: ["template"])
            {
                popTo(index)
            }
        default:
            break
        }
        if HTMLElementKinds.closesParagraph.contains(name),
            let index = openIndex(of: "p", boundaries: HTMLElementKinds.scopeBoundaries.union(["button"]))
        {
            popTo(index)
        }
        if HTMLElementKinds.headings.contains(name), HTMLElementKinds.headings.contains(currentName) {
            popTo(stack.count - 1)
        }
    }

    private mutating func closeListItem(named names: Set<String>) {
        var index = stack.count - 1
        while index > 0 {
            let name = stack[index].element.name
            if names.contains(name) {
                popTo(index)
                return
            }
            if HTMLElementKinds.listItemBoundaries.contains(name) || stack[index].foreign { return }
            index -= 1
        }
    }

    /// Clears the stack back to the context a table part belongs in (§13.2.6.4.9–§13.2.6.4.15).
    private mutating func closeForTablePart(_ name: String) {
        let contexts: Set<String> =
            switch name {
            case "td", "th": ["tr", "tbody", "thead", "tfoot", "table"]
            case "tr": ["tbody", "thead", "tfoot", "table"]
            case "col": ["colgroup", "table"]
            default: ["table"]
            }
        flushText()
        while stack.count > 1, !contexts.contains(currentName), currentName != "template" { pop() }
    }

    // MARK: End tags

    private mutating func endTag(_ name: String) {
        if name == "html" || name == "head" || name == "body" || ignoring(name) { return }
        guard openCounts[name, default: 0] > 0 else { return }
        let boundaries: Set<String> =
            switch name {
            case "table": ["template"]
            case "tbody", "thead", "tfoot", "tr": ["table", "template"]
            case "td", "th", "caption", "colgroup": ["table", "template"]
            default: HTMLElementKinds.scopeBoundaries
            }
        if let index = openIndex(of: name, boundaries: boundaries) { popTo(index) }
    }

    // MARK: The stack

    private var currentName: String { stack[stack.count - 1].element.name }

    /// The index of the nearest open `name`, unless a boundary (other than `name` itself) comes first.
    private func openIndex(of name: String, boundaries: Set<String>) -> Int? {
        guard openCounts[name, default: 0] > 0 else { return nil }
        var index = stack.count - 1
        while index > 0 {
            let open = stack[index].element.name
            if open == name { return index }
            if boundaries.contains(open) { return nil }
            index -= 1
        }
        return nil
    }

    private mutating func open(_ element: HTMLElement, foreign: Bool, void: Bool) {
        guard countNode() else { return }
        flushText()
        if void {
            stack[stack.count - 1].element.children.append(.element(element))
        } else {
            stack.append(Open(element: element, foreign: foreign || stack[stack.count - 1].foreign))
            openCounts[element.name, default: 0] += 1
        }
    }

    private mutating func append(_ node: HTMLNode) {
        guard countNode() else { return }
        stack[stack.count - 1].element.children.append(node)
    }

    private mutating func countNode() -> Bool {
        nodeCount += 1
        if nodeCount > limits.maxNodes { stopped = true }
        return !stopped
    }

    private mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        let text = String(decoding: pendingText, as: UTF8.self)
        pendingText.removeAll(keepingCapacity: true)
        append(.text(text))
    }

    /// Pops the open elements down to and including `index`.
    private mutating func popTo(_ index: Int) {
        flushText()
        while stack.count > index { pop() }
    }

    private mutating func pop() {
        flushText()
        let closed = stack.removeLast()
        openCounts[closed.element.name, default: 1] -= 1
        stack[stack.count - 1].element.children.append(.element(closed.element))
    }
}
