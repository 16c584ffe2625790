import Testing

@testable import HTML

/// The simplified tree builder (see `HTMLParser`), written back with `HTMLSerializer` to compare.
@Suite struct ParserTests {
    private func tree(_ html: String) -> String { HTMLSerializer.serialize(HTMLParser.parse(html)) }

    @Test func documentIsFlattenedIntoAFragment() {
        #expect(
            tree("<!DOCTYPE html><html><head><title>T</title></head><body bgcolor=red><p>x</body></html>")
                == "<title>T</title><p>x</p>")
    }

    @Test func voidElementsAndStrayEndTags() {
        #expect(tree("<br><img src=a></img><hr/>x</br></div>") == "<br><img src=\"a\"><hr>x")
    }

    @Test func impliedEndTags() {
        #expect(tree("<p>a<p>b<div>c</div>") == "<p>a</p><p>b</p><div>c</div>")
        #expect(tree("<ul><li>a<li>b<ul><li>c</ul><li>d</ul>") == "<ul><li>a</li><li>b<ul><li>c</li></ul></li><li>d</li></ul>")
        #expect(tree("<dl><dt>a<dd>b<dt>c</dl>") == "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>")
        #expect(tree("<h1>a<h2>b") == "<h1>a</h1><h2>b</h2>")
        #expect(tree("<a href=1>a<a href=2>b") == "<a href=\"1\">a</a><a href=\"2\">b</a>")
        #expect(
            tree("<p>a<table><tr><td>b<td>c<tr><td>d</table>e")
                == "<p>a</p><table><tr><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>e")
    }

    @Test func nestedLayoutTables() {
        // The layout of most newsletters: tables in cells, sections, end tags left out.
        #expect(
            tree("<table><tbody><tr><td><table><tr><td><p>a<td>b</table>c<tr><td>d</tbody></table>e")
                == "<table><tbody><tr><td><table><tr><td><p>a</p></td><td>b</td></tr></table>c</td></tr>"
                + "<tr><td>d</td></tr></tbody></table>e")
        #expect(
            tree("<table><tr><td>a<table><tr><td>b</td></tr><table>")
                == "<table><tr><td>a<table><tr><td>b</td></tr></table><table></table></td></tr></table>")
    }

    @Test func tablePartsOutsideATableAreIgnored() {
        #expect(tree("<td>a</td><tr>b") == "ab")
    }

    @Test func endTagsStopAtScopeBoundaries() {
        #expect(
            tree("<b><table><tr><td>x</b>y</td></tr></table>z</b>")
                == "<b><table><tr><td>xy</td></tr></table>z</b>")
        #expect(tree("<div><span>a</div>b") == "<div><span>a</span></div>b")
    }

    @Test func rawTextElements() {
        #expect(tree("<title>a<b>&amp;</title>") == "<title>a&lt;b&gt;&amp;</title>")
        #expect(tree("<style>p>b{}</style>") == "<style>p&gt;b{}</style>")
        #expect(tree("<textarea>\nx</textarea>") == "<textarea>x</textarea>")
        #expect(tree("<pre>\n\nx</pre>") == "<pre>\n\nx</pre>")
        #expect(tree("<plaintext><b></plaintext>") == "<plaintext>&lt;b&gt;&lt;/plaintext&gt;</plaintext>")
    }

    @Test func foreignContent() {
        // Self-closing counts in SVG; CDATA is text; a breakout tag leaves SVG.
        #expect(tree("<svg><circle/><![CDATA[<x>]]></svg>") == "<svg><circle></circle>&lt;x&gt;</svg>")
        #expect(tree("<svg><style><img src=x></style></svg>") == "<svg><style></style></svg><img src=\"x\">")
    }

    @Test func depthIsBounded() {
        let html = String(repeating: "<div>", count: 1_000) + "x"
        let document = HTMLParser.parse(html, limits: HTMLParseLimits(maxDepth: 10))
        var depth = 0
        var nodes = document.children
        while case .element(let element)? = nodes.first {
            depth += 1
            nodes = element.children
        }
        #expect(depth == 10)
        #expect(nodes == [.text("x")])
    }

    @Test func nodesAndBytesAreBounded() {
        let many = HTMLParser.parse(String(repeating: "<b>x</b>", count: 1_000), limits: HTMLParseLimits(maxNodes: 100))
        #expect(many.truncated)
        #expect(many.children.count <= 100)
        let cut = HTMLParser.parse("ab\u{00E9}", limits: HTMLParseLimits(maxInputBytes: 3))
        #expect(cut.truncated)
        #expect(cut.children == [.text("ab")])
    }

    @Test func serialisedTreesParseBack() {
        let html = "<p title='a\"b&amp;c'>x &lt; y &amp; z\r\n&#13;</p><pre>\n\nq</pre>"
        let document = HTMLParser.parse(html)
        #expect(HTMLParser.parse(HTMLSerializer.serialize(document)) == document)
    }
}
