import Admin
import Testing

@testable import Web

/// `application/x-www-form-urlencoded` as browsers send it (WHATWG URL §5.1).
@Suite struct FormDataTests {
    @Test func decodesPlusPercentAndUTF8() {
        let form = FormData(urlEncoded: "a=1&b=hello+world&c=%3Cscript%3E&d=%E2%82%AC+%2B&e&f=100%&g=%zz&=x")
        #expect(form["a"] == "1")
        #expect(form["b"] == "hello world")
        #expect(form["c"] == "<script>")
        #expect(form["d"] == "€ +")
        #expect(form["e"] == "")
        #expect(form["f"] == "100%")
        #expect(form["g"] == "%zz")
        #expect(form[""] == "x")
        #expect(form["missing"] == nil)
    }

    @Test func keepsRepeatedNamesInOrder() {
        let form = FormData(urlEncoded: "id=b&action=hold&id=a&id=c")
        #expect(form.all("id") == ["b", "a", "c"])
        #expect(form["id"] == "b")
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        #expect(FormData(urlEncoded: "n=%FF%FEok")["n"] == "\u{FFFD}\u{FFFD}ok")
    }

    @Test func trimsTextAndTreatsBlankAsAbsent() {
        let form = FormData(urlEncoded: "a=++x+&b=+++")
        #expect(form.text("a") == "x")
        #expect(form.text("b") == nil)
    }

    @Test func boundsTheNumberOfFields() {
        let text = Array(repeating: "id=x", count: FormData.maxFields + 50).joined(separator: "&")
        #expect(FormData(urlEncoded: text).fields.count == FormData.maxFields)
    }

    @Test func encodingRoundTrips() {
        let hostile = "a b&c=d+e%f/€\"<>"
        let encoded = FormData.encode(hostile)
        #expect(!encoded.contains(" ") && !encoded.contains("&") && !encoded.contains("+"))
        #expect(FormData(urlEncoded: "v=" + encoded)["v"] == hostile)
    }

    @Test func csrfComparison() {
        #expect(CSRF.matches("abc123", "abc123"))
        #expect(!CSRF.matches("abc124", "abc123"))
        #expect(!CSRF.matches("abc12", "abc123"))
        #expect(!CSRF.matches("abc1234", "abc123"))
        #expect(!CSRF.matches("", "abc123"))
        #expect(!CSRF.matches(nil, "abc123"))
        // An empty expected token matches nothing (a session without one must not accept "").
        #expect(!CSRF.matches("", ""))
    }

    @Test func flashCookieRoundTrips() {
        let flash = Flash(.error, "Alias \"x\" <y>; 50% + more")
        #expect(Flash(cookieValue: flash.cookieValue) == flash)
        #expect(!flash.cookieValue.contains(";") && !flash.cookieValue.contains(" "))
        #expect(Flash(cookieValue: "bogus:hi") == nil)
    }

    @Test func sizes() {
        #expect(Format.parseSize("2G") == 2 << 30)
        #expect(Format.parseSize("500m") == 500 << 20)
        #expect(Format.parseSize("1 GB") == 1 << 30)
        #expect(Format.parseSize("0") == 0)
        #expect(Format.parseSize("unlimited") == 0)
        #expect(Format.parseSize("-1") == nil)
        #expect(Format.parseSize("lots") == nil)
        #expect(Format.parseSize("99999999999T") == nil)
        #expect(Format.sizeInput(2 << 30) == "2G")
        #expect(Format.sizeInput(1536 << 20) == "1536M")
        #expect(Format.bytes(1536 << 20) == "1.5 GB")
        #expect(Format.count(0) == "0" && Format.count(999) == "999" && Format.count(1000) == "1,000")
        #expect(Format.count(1_234_567) == "1,234,567" && Format.count(-60_000) == "-60,000")
        #expect(Format.count(1, "message") == "1 message" && Format.count(60_000, "message") == "60,000 messages")
        #expect(Format.percent(used: 95, of: 100) == 95)
        #expect(Format.percent(used: 5, of: 0) == nil)
        #expect(Format.parseDay("2026-12-03") == 1_796_256_000)
        #expect(Format.parseDay("2026-13-03") == nil)
    }

    /// Browsers send a textarea's line ends as CRLF, which Swift keeps as one `Character`.
    @Test func textareaLinesSplitOnCRLF() throws {
        #expect(
            ConsolePages.targets("a@example.org\r\nb@example.org\n c@example.org") == [
                "a@example.org", "b@example.org", "c@example.org",
            ])
        #expect(try ConsolePages.settings("action=REJECT\r\n\r\ntext=go away\r\n") == ["action": "REJECT", "text": "go away"])
        #expect(throws: AdminError.self) { try ConsolePages.settings("no equals sign") }
    }
}
