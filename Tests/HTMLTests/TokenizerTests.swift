import Testing

@testable import HTML

/// The tokenizer's states (WHATWG HTML §13.2.5) on the spec's tricky cases.
@Suite struct TokenizerTests {
    private func tokens(_ html: String) -> [HTMLToken] {
        var tokenizer = HTMLTokenizer(HTMLParser.preprocess(html, maxBytes: .max).bytes)
        var tokens: [HTMLToken] = []
        while let token = tokenizer.next() { tokens.append(token) }
        return tokens
    }

    private func text(_ string: String) -> HTMLToken { .text(Array(string.utf8)) }

    @Test func attributesInAllQuotings() {
        #expect(
            tokens(#"<A HREF="x" b='y' c=z d e = "f"/>"#) == [
                .startTag(
                    name: "a",
                    attributes: [
                        HTMLAttribute(name: "href", value: "x"), HTMLAttribute(name: "b", value: "y"),
                        HTMLAttribute(name: "c", value: "z"), HTMLAttribute(name: "d", value: ""),
                        HTMLAttribute(name: "e", value: "f"),
                    ], selfClosing: true)
            ])
    }

    @Test func repeatedAttributeKeepsTheFirst() {
        #expect(
            tokens("<p a=1 A=2>") == [
                .startTag(name: "p", attributes: [HTMLAttribute(name: "a", value: "1")], selfClosing: false)
            ])
    }

    @Test func slashesAndOddCharactersInTags() {
        // §13.2.5.32: "/" between attributes is ignored; "=" may start a name; `"` and `<` are name characters.
        #expect(
            tokens(#"<img/src=x/onerror=y>"#) == [
                .startTag(
                    name: "img",
                    attributes: [HTMLAttribute(name: "src", value: "x/onerror=y")], selfClosing: false)
            ])
        #expect(
            tokens(#"<p =a b"c>"#) == [
                .startTag(
                    name: "p", attributes: [HTMLAttribute(name: "=a", value: ""), HTMLAttribute(name: "b\"c", value: "")],
                    selfClosing: false)
            ])
    }

    @Test func lessThanThatStartsNoTag() {
        #expect(tokens("a < b <3 </ c") == [text("a < b <3 "), .comment(" c")])
        #expect(tokens("x</>y") == [text("x"), text("y")])
        #expect(tokens("<") == [text("<")])
    }

    @Test func comments() {
        #expect(tokens("<!-->a") == [.comment(""), text("a")])
        #expect(tokens("<!--->a") == [.comment(""), text("a")])
        #expect(tokens("<!-- x --!>a") == [.comment(" x "), text("a")])
        #expect(tokens("<!-- x ---->a") == [.comment(" x --"), text("a")])
        #expect(tokens("<!-- never closed <p>") == [.comment(" never closed <p>")])
        #expect(tokens("<?php echo 1 ?>a") == [.comment("?php echo 1 ?"), text("a")])
        #expect(tokens("<!x>a") == [.comment("x"), text("a")])
        #expect(tokens("</3>a") == [.comment("3"), text("a")])
        #expect(tokens("<!DOCTYPE html><p>") == [.doctype, .startTag(name: "p", attributes: [], selfClosing: false)])
    }

    @Test func cdataIsABogusCommentOutsideForeignContent() {
        #expect(tokens("<![CDATA[<b>]]>x") == [.comment("[CDATA[<b"), text("]]>x")])
        var tokenizer = HTMLTokenizer(Array("<![CDATA[<b>]]>x".utf8))
        tokenizer.allowsCDATA = true
        #expect(tokenizer.next() == text("<b>"))
        #expect(tokenizer.next() == text("x"))
    }

    @Test func rawTextEndsOnlyAtItsOwnEndTag() {
        var tokenizer = HTMLTokenizer(Array("a</p><b>&amp;</TITLE >c".utf8))
        tokenizer.state = .rcdata
        tokenizer.lastStartTag = Array("title".utf8)
        #expect(tokenizer.next() == text("a</p><b>&"))
        #expect(tokenizer.next() == .endTag(name: "title"))
        #expect(tokenizer.next() == text("c"))
        var raw = HTMLTokenizer(Array("&amp;</styles></style".utf8))
        raw.state = .rawtext
        raw.lastStartTag = Array("style".utf8)
        #expect(raw.next() == text("&amp;</styles></style"))
    }

    @Test func scriptDataEscapedStates() {
        func script(_ html: String) -> [HTMLToken] {
            var tokenizer = HTMLTokenizer(Array(html.utf8))
            tokenizer.state = .scriptData
            tokenizer.lastStartTag = Array("script".utf8)
            var tokens: [HTMLToken] = []
            while let token = tokenizer.next() { tokens.append(token) }
            return tokens
        }
        // §13.2.5.20–§13.2.5.31: after `<!--<script>` the next `</script>` only leaves the double-escaped state.
        #expect(
            script("<!--<script></script>alert(1)</script>-->x") == [
                text("<!--<script></script>alert(1)"), .endTag(name: "script"), text("-->x"),
            ])
        #expect(script("<!-- </script>x") == [text("<!-- "), .endTag(name: "script"), text("x")])
        #expect(script("a<b</scriptx></SCRIPT>") == [text("a<b</scriptx>"), .endTag(name: "script")])
    }

    @Test func endOfInputInsideATagDropsIt() {
        #expect(tokens("a<img src=x onerror=alert(1)") == [text("a")])
        #expect(tokens("a<p title=\"x") == [text("a")])
    }

    @Test func newlinesAndNUL() {
        #expect(tokens("a\r\nb\rc\0d") == [text("a\nb\ncd")])
        #expect(
            tokens("<p\0 a\0=\"\0\">") == [
                .startTag(
                    name: "p\u{FFFD}", attributes: [HTMLAttribute(name: "a\u{FFFD}", value: "\u{FFFD}")], selfClosing: false)
            ])
    }
}
