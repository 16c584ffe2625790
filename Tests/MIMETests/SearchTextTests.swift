import Testing

@testable import MIME

@Suite struct SearchTextTests {
    @Test func headersAndBodiesAreDecodedAndFolded() {
        let message = Fixtures.message(BodyStructureTests.nested)
        let search = message.searchText
        #expect(search.header.contains("subject: nested"))
        #expect(search.bodyContains("CAFÉ"))
        #expect(search.bodyContains("café & bar"))
        #expect(!search.bodyContains("<p>"))
        #expect(search.bodyContains("bob@example.org"))
        #expect(!search.bodyContains("ivborw0k"))
        #expect(search.textContains("NESTED"))
        #expect(!search.bodyContains("nested"))
    }

    @Test func headerSearchDecodesEncodedWords() {
        let message = Fixtures.message("Subject: =?iso-8859-1?q?Gr=FC=DFe?=\nFrom: =?utf-8?b?SsO2cmc=?= <j@x>\n\n")
        #expect(message.headerField("subject", contains: "GRÜSSE") == false)
        #expect(message.headerField("subject", contains: "grüße"))
        #expect(message.headerField("FROM", contains: "jörg"))
        #expect(message.headerField("from", contains: ""))
        #expect(!message.headerField("cc", contains: ""))
    }

    @Test func addressSearchSeesThroughCommentsInsideAddresses() {
        let message = Fixtures.message(
            "From: <user-from (comment)@ (comment) domain.org>\nTo: =?utf-8?q?J=C3=B6rg?= <jorg@example.org>, c@d\n\n")
        #expect(message.addressField("from", contains: "user-from@domain.org"))
        #expect(!message.headerField("from", contains: "user-from@domain.org"))  // the raw text has the comments
        #expect(message.addressField("from", contains: "comment"))
        #expect(message.addressField("to", contains: "jörg <jorg@example.org>"))
        #expect(message.addressField("to", contains: "<c@d>"))
        #expect(message.addressField("to", contains: ""))
        #expect(!message.addressField("cc", contains: ""))
        #expect(!message.addressField("from", contains: "user-to@domain.org"))
    }

    @Test func htmlRendering() {
        #expect(HTMLText.render("a<script>if (1 < 2) x()</SCRIPT >b<!-- c -->d&#65;&#x42;&bogus;&") == "abdAB&bogus;&")
        #expect(HTMLText.render("<div>one</div><div>two<br>three</div>") == "one\ntwo\nthree\n")
        #expect(HTMLText.render("<style>p{}</style") == "")
    }
}
