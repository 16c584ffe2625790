import Testing

@testable import HTML

/// Seeded random documents (corpus pieces, random tags, attributes, entities and bytes): the sanitiser
/// never traps, is idempotent, writes a tree that parses back to itself, and its output is safe.
@Suite struct FuzzTests {
    /// SplitMix64: deterministic, so a failure repeats.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let tags = [
        "p", "div", "b", "i", "a", "img", "table", "tr", "td", "th", "tbody", "li", "ul", "ol", "dd", "dt", "dl", "h1",
        "h2", "pre", "br", "hr", "span", "font", "script", "style", "svg", "math", "mtext", "mglyph", "title",
        "textarea", "noscript", "iframe", "object", "form", "input", "button", "select", "option", "template", "xmp",
        "plaintext", "caption", "col", "colgroup", "x-custom", "o:p", "body", "head", "html", "foreignobject",
        "marquee", "listing", "center", "blockquote", "details", "summary", "image",
    ]
    static let attributes = [
        "href", "src", "style", "onerror", "onclick", "title", "id", "class", "background", "width", "srcset",
        "xlink:href", "formaction", "color", "colspan", "align", "name",
    ]
    static let values = [
        "javascript:alert(1)", "JaVa&#x09;script:x", "http://e.example/x", "https://e.example/", "cid:a", "x",
        "data:image/png;base64,AAAA", "data:text/html,<script>", "position:fixed", "color:red;width:expression(1)",
        "background:url(javascript:x)", "&quot;>", "margin:-9px", "\u{0}", "mailto:a@b", "//e.example/x",
        "font-family:'a\\'b'", "\\", "/*", "url(", "&#0;", "&#128;", "&notin", "\r\n",
    ]
    static let pieces = [
        "<!--", "-->", "--!>", "<!-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "</", "<", ">", "/>", "\"", "'", "=", "&",
        "&amp;", "&lt;", "&#x6A;", "&#106", "&nbsp;", "\0", "\n", "\r", " ", "\t", "text", "\u{00E9}", "\u{1F600}",
        "</script>", "</style>", "</title>", "</textarea>", "</noscript>", "</svg>", "</math>", "</p>", "</td>",
        "</table>", "</a>", "<?x>", "\u{FFFD}",
    ]

    static func randomDocument(_ random: inout SeededGenerator, corpus: [String]) -> String {
        var html = ""
        for _ in 0..<Int.random(in: 1...30, using: &random) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1, 2:
                let tag = tags.randomElement(using: &random)!
                html += "<" + (Bool.random(using: &random) ? tag : tag.uppercased())
                for _ in 0..<Int.random(in: 0...3, using: &random) {
                    let name = attributes.randomElement(using: &random)!
                    let value = values.randomElement(using: &random)!
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: html += " \(name)=\"\(value)\""
                    case 1: html += " \(name)='\(value)'"
                    default: html += " \(name)=\(value)"
                    }
                }
                html += Int.random(in: 0..<8, using: &random) == 0 ? "/>" : ">"
            case 3:
                html += "</" + tags.randomElement(using: &random)! + ">"
            case 4, 5:
                html += pieces.randomElement(using: &random)!
            case 6:
                let vector = corpus.randomElement(using: &random)!
                let scalars = Array(vector.unicodeScalars)
                let start = Int.random(in: 0..<max(1, scalars.count), using: &random)
                let end = min(scalars.count, start + Int.random(in: 1...60, using: &random))
                var fragment = String.UnicodeScalarView()
                fragment.append(contentsOf: scalars[min(start, scalars.count)..<end])
                html += String(fragment)
            case 7:
                var bytes: [UInt8] = []
                for _ in 0..<Int.random(in: 1...8, using: &random) { bytes.append(UInt8.random(in: 0...255, using: &random)) }
                html += String(decoding: bytes, as: UTF8.self)
            default:
                html += ["hello", " world ", "a&b", "x<y", "1>0"].randomElement(using: &random)!
            }
        }
        return html
    }

    @Test func randomDocumentsComeOutSafeAndStable() throws {
        let corpus = try HostileCorpusTests.corpus().map(\.html)
        var random = SeededGenerator(state: 0x5EED_2026)
        // Every other case with remote content allowed and cid: images served.
        var permissive = HTMLSanitizer.Options()
        permissive.allowRemoteContent = true
        // An absolute served URL, so that sanitising the output again (remote allowed) keeps it.
        permissive.inlineImageURL = { "https://webmail.example/part?cid=" + $0 }
        let sanitizers = [HTMLSanitizer(), HTMLSanitizer(options: permissive)]
        var failures = 0
        for iteration in 0..<20_000 {
            let sanitizer = sanitizers[iteration % 2]
            let input = Self.randomDocument(&random, corpus: corpus)
            let output = sanitizer.sanitize(input).html
            let again = sanitizer.sanitize(output).html
            let tree = sanitizer.sanitizedTree(input)
            let reparsed = HTMLParser.parse(output).children
            if again != output || reparsed != tree {
                failures += 1
                if failures <= 5 {
                    Issue.record(
                        "case \(iteration) not stable:\ninput \(String(reflecting: input))\nonce  \(output)\ntwice \(again)")
                }
            }
            if failures <= 5 { SafetyChecks.expectSafe(output, context: "case \(iteration) \(String(reflecting: input))") }
        }
        #expect(failures == 0)
    }
}
