import Testing

@testable import HTML

/// Character references (WHATWG HTML §13.2.5.72–§13.2.5.80) in text and attributes.
@Suite struct CharacterReferenceTests {
    private func text(_ html: String) -> String {
        guard case .text(let text)? = HTMLParser.parse(html).children.first else { return "<no text>" }
        return text
    }

    private func attribute(_ value: String) -> String? {
        guard case .element(let element)? = HTMLParser.parse("<p title=\"\(value)\">").children.first else { return nil }
        return element[attribute: "title"]
    }

    @Test func namedReferences() {
        #expect(CharacterReferences.table.count == 2_231)
        #expect(text("&amp;&lt;&gt;&quot;&apos;") == "&<>\"'")
        #expect(text("&notin;") == "\u{2209}")
        #expect(text("&NotNestedGreaterGreater;") == "\u{2AA2}\u{0338}")
        #expect(text("&CounterClockwiseContourIntegral;") == "\u{2233}")
        #expect(text("&nbsp;x") == "\u{00A0}x")
    }

    @Test func legacyNamesWithoutSemicolon() {
        #expect(text("&amp") == "&")
        #expect(text("a &amp b") == "a & b")
        // The longest match: "not" is a legacy name, "notin;" is not matched without its ";".
        #expect(text("&notit;") == "\u{00AC}it;")
        #expect(text("&notin") == "\u{00AC}in")
        // In attributes a legacy name before "=" or an alphanumeric stays as written.
        #expect(attribute("?a=1&not=2&copy3") == "?a=1&not=2&copy3")
        #expect(attribute("&not;&copy") == "\u{00AC}\u{00A9}")
    }

    @Test func unknownNamesStayText() {
        #expect(text("&foo; & &;") == "&foo; & &;")
    }

    @Test func numericReferences() {
        #expect(text("&#x6A;&#106;&#X6a") == "jjj")
        #expect(text("&#0;") == "\u{FFFD}")
        #expect(text("&#128;&#x9f;") == "\u{20AC}\u{0178}")
        #expect(text("&#x81;") == "\u{81}")
        #expect(text("&#xD800;&#x110000;&#99999999999999999999;") == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(text("&#;&#x;&#xg") == "&#;&#x;&#xg")
    }
}
