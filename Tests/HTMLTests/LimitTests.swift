import Foundation
import Testing

@testable import HTML

/// Large and deep inputs: bounded time, memory and depth.
@Suite struct LimitTests {
    @Test func fiveMebibyteNewsletterIsLinear() {
        let block = """
            <table width="600" cellpadding="0" style="border-collapse:collapse"><tr><td style="padding:8px;color:#333;\
            font-family:Arial,sans-serif">Dear reader, <b>news</b> &amp; <a href="https://example.com/a?b=1&amp;c=2">\
            a link</a><img src="https://example.com/t.gif" width="1"><!-- spacer --></td></tr></table><p>&nbsp;</p>\n
            """
        let html = String(repeating: block, count: 5 << 20 / block.utf8.count)
        let clock = ContinuousClock()
        var options = HTMLSanitizer.Options()
        options.maxNodes = 10_000_000
        let sanitizer = HTMLSanitizer(options: options)
        var result: SanitizedHTML?
        let elapsed = clock.measure { result = sanitizer.sanitize(html) }
        #expect(result?.truncated == false)
        #expect(result?.blockedRemoteContent == true)
        #expect(result?.html.contains("<b>news</b>") == true)
        // Generous: a debug build on a shared 2-core machine.
        #expect(elapsed < .seconds(120), "took \(elapsed)")
    }

    @Test func deepNestingDoesNotRecurseWithoutBound() {
        let html = String(repeating: "<div><b><i>", count: 100_000) + "deep"
        let result = HTMLSanitizer().sanitize(html)
        #expect(result.html.contains("deep"))
        #expect(result.html.components(separatedBy: "<div>").count - 1 <= 256)
    }

    @Test func deepForeignContentIsBoundedToo() {
        let html = "<svg>" + String(repeating: "<g>", count: 100_000) + "</svg>after"
        let document = HTMLParser.parse(html)
        var depth = 0
        var nodes = document.children
        while case .element(let element)? = nodes.first {
            depth += 1
            nodes = element.children
        }
        #expect(depth == 256)
        #expect(HTMLSanitizer().sanitize(html).html == "after")
    }

    @Test func manyNodesAreCutOff() {
        var options = HTMLSanitizer.Options()
        options.maxNodes = 1_000
        let result = HTMLSanitizer(options: options).sanitize(String(repeating: "<b>x</b>", count: 10_000))
        #expect(result.truncated)
        #expect(result.html.components(separatedBy: "<b>").count - 1 <= 1_000)
    }

    @Test func textBetweenDroppedElementsJoinsInLinearTime() {
        // 180,000 nodes: under `maxNodes`.
        let html = String(repeating: "ab<input><!---->", count: 60_000)
        let clock = ContinuousClock()
        var output = ""
        let elapsed = clock.measure { output = HTMLSanitizer().sanitize(html).html }
        #expect(output.utf8.count == 120_000)
        #expect(output.allSatisfy { $0 == "a" || $0 == "b" })
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func manyAttributesAndLongURLsStayLinear() {
        var attributes = ""
        for index in 0..<100_000 { attributes += " a\(index)=1" }
        let html =
            "<p" + attributes + " title=t>x</p><a href=\"" + String(repeating: " ", count: 1_000_000)
            + "https://e.example/\">y</a>"
        let clock = ContinuousClock()
        var output = ""
        let elapsed = clock.measure { output = HTMLSanitizer().sanitize(html).html }
        #expect(output.hasPrefix("<p title=\"t\">x</p><a href=\"https://e.example/\""))
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test func pathologicalEndTagsStayFast() {
        let html = String(repeating: "<span>", count: 250) + String(repeating: "</b></i></td>", count: 100_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = HTMLSanitizer().sanitize(html) }
        #expect(elapsed < .seconds(60), "took \(elapsed)")
    }
}
