import Testing

@testable import HTML

/// What the sanitiser keeps, rewrites and drops.
@Suite struct SanitizerTests {
    private func clean(_ html: String, _ options: HTMLSanitizer.Options = HTMLSanitizer.Options()) -> String {
        HTMLSanitizer(options: options).sanitize(html).html
    }

    @Test func formattingIsKept() {
        #expect(
            clean("<table width=600 cellpadding=0 bgcolor=#fff><tr><td align=center valign=top colspan=2>x</td></tr></table>")
                == "<table width=\"600\" cellpadding=\"0\" bgcolor=\"#fff\"><tr><td align=\"center\" valign=\"top\" colspan=\"2\">x</td></tr></table>"
        )
        #expect(
            clean("<font color=red face=Arial size=2><b>B</b><i>I</i></font>")
                == "<font color=\"red\" face=\"Arial\" size=\"2\"><b>B</b><i>I</i></font>")
        #expect(clean("<ol start=3 type=a><li>x</ol>") == "<ol start=\"3\" type=\"a\"><li>x</li></ol>")
    }

    @Test func unknownAndFormElementsAreUnwrapped() {
        #expect(clean("<o:p>Office</o:p><custom-tag>c</custom-tag>") == "Office c".replacing(" ", with: ""))
        #expect(clean("<form action=x><label>Name</label><input name=n><button>Send</button></form>") == "NameSend")
        #expect(clean("<h1><x-y><h2>t</h2></x-y></h1>") == "<h1></h1><h2>t</h2>")
    }

    @Test func droppedElementsTakeTheirContent() {
        #expect(clean("a<script>b</script><style>c</style><svg><text>d</text></svg><title>e</title>f") == "af")
        #expect(clean("<select><option>1<option>2</select>x") == "x")
    }

    @Test func attributesOutsideTheAllowlistGo() {
        #expect(
            clean("<p id=x class=y name=z onclick=1 data-x=2 title=t lang=en dir=rtl>p</p>")
                == "<p title=\"t\" lang=\"en\" dir=\"rtl\">p</p>")
        #expect(
            clean("<img src=\"data:image/png;base64,iVBORw0=\" srcset=\"a 1x\" alt=\"A\">")
                == "<img src=\"data:image/png;base64,iVBORw0=\" alt=\"A\">")
    }

    @Test func linksOpenOutside() {
        #expect(
            clean("<a href=\"https://example.com/?a=1&amp;b=2\" target=_self rel=opener>x</a>")
                == "<a href=\"https://example.com/?a=1&amp;b=2\" target=\"_blank\" rel=\"noreferrer noopener\">x</a>")
        #expect(clean("<a href=\"mailto:a@example.com\">m</a>").contains("href=\"mailto:a@example.com\""))
        #expect(
            clean("<a href=\"#top\">t</a><a href=\"/relative\">r</a>")
                == "<a target=\"_blank\" rel=\"noreferrer noopener\">t</a><a target=\"_blank\" rel=\"noreferrer noopener\">r</a>")
        #expect(clean("<a href=\" \tjava\nscript:x\">j</a>") == "<a target=\"_blank\" rel=\"noreferrer noopener\">j</a>")
    }

    @Test func remoteContent() {
        let blocked = HTMLSanitizer().sanitize(
            "<img src=\"https://example.com/a.png\"><p style=\"background:url(http://e.example/b)\">x</p>")
        #expect(blocked.html == "<p>x</p>")
        #expect(blocked.blockedRemoteContent)
        var options = HTMLSanitizer.Options()
        options.allowRemoteContent = true
        let allowed = HTMLSanitizer(options: options).sanitize("<img src=\"https://example.com/a.png\">")
        #expect(allowed.html == "<img src=\"https://example.com/a.png\">")
        #expect(!allowed.blockedRemoteContent)
        #expect(!HTMLSanitizer().sanitize("<img src=\"relative.png\">").blockedRemoteContent)
    }

    @Test func inlineImagesAreRewritten() {
        var options = HTMLSanitizer.Options()
        options.inlineImageURL = { id in id == "logo@example.com" ? "/webmail/part/7?cid=logo" : nil }
        let result = HTMLSanitizer(options: options).sanitize(
            "<img src=\"cid:logo%40example.com\"><img src=\"CID:unknown\"><td style=\"background-image:url(cid:logo@example.com)\">"
        )
        #expect(result.html == "<img src=\"/webmail/part/7?cid=logo\">")
        #expect(result.inlineImages == ["logo@example.com"])
        #expect(HTMLSanitizer().sanitize("<img src=\"cid:x\">").html == "")
    }

    @Test func cssDeclarationsAreFiltered() {
        #expect(
            clean("<p style=\"COLOR: Red; position: fixed; top: 0; font: bold 12px/1.5 'Segoe UI', sans-serif !important\">x</p>")
                == "<p style=\"color: Red; font: bold 12px/1.5 &quot;Segoe UI&quot;, sans-serif !important\">x</p>")
        #expect(
            clean("<p style=\"margin: 0 auto; margin-left: -999px; padding: 4px\">x</p>")
                == "<p style=\"margin: 0 auto; padding: 4px\">x</p>")
        #expect(
            clean("<p style=\"color: rgb(1, 2, 3); width: calc(100% - 2px); display: none\">x</p>")
                == "<p style=\"color: rgb(1, 2, 3); width: calc(100% - 2px); display: none\">x</p>")
        #expect(
            clean("<p style=\"color: re\\64; background: url(data:image/gif;base64,R0lG)\">x</p>")
                == "<p style=\"color: red; background: url(&quot;data:image/gif;base64,R0lG&quot;)\">x</p>")
        #expect(
            clean("<p style=\"font-family: 'a<b>'; transform: scale(9); content: 'x'; behavior: url(a.htc)\">x</p>")
                == "<p style=\"font-family: &quot;a\\3c b\\3e &quot;\">x</p>")
        #expect(clean("<p style=\"color: red; {} ; width: 1px\">x</p>") == "<p style=\"color: red; width: 1px\">x</p>")
        #expect(clean("<p style=\"position: relative\">x</p>") == "<p style=\"position: relative\">x</p>")
    }

    @Test func textIsEscaped() {
        #expect(clean("&lt;script&gt; &amp; \u{00A0} \"q\"") == "&lt;script&gt; &amp; \u{00A0} \"q\"")
        #expect(clean("<p title=\"&quot;><script>\">x</p>") == "<p title=\"&quot;&gt;&lt;script&gt;\">x</p>")
    }

    @Test func commentsAndConditionalCommentsGo() {
        #expect(clean("a<!--[if mso]><table><tr><td><![endif]-->b<!-- c -->d") == "abd")
    }

    @Test func truncationIsReported() {
        var options = HTMLSanitizer.Options()
        options.maxInputBytes = 10
        let result = HTMLSanitizer(options: options).sanitize("<p>0123456789</p>")
        #expect(result.truncated)
        #expect(result.html == "<p>0123456</p>")
    }
}
