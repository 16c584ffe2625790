import Testing

@testable import MIME

@Suite struct ParameterTests {
    private func contentType(_ value: String) -> ContentType? { ContentType(parsing: Array(value.utf8)) }

    @Test func typeSubtypeAndParametersAreParsed() throws {
        let type = try #require(contentType("Text/HTML ; Charset=\"UTF-8\" (comment); format=flowed"))
        #expect(type.mimeType == "text/html")
        #expect(
            type.parameters == [
                MIMEParameter(name: "charset", value: "UTF-8"), MIMEParameter(name: "format", value: "flowed"),
            ])
        #expect(type.charset == "UTF-8")
        #expect(contentType("text") == nil)
        #expect(contentType("") == nil)
    }

    @Test func quotedStringsResolveQuotedPairs() {
        #expect(contentType(#"a/b; x="q\"uo\\te;d""#)?.parameters.value(of: "x") == #"q"uo\te;d"#)
    }

    @Test func lenientValuesRunToTheSemicolon() {
        let type = contentType("application/pdf; name=my file.pdf; x=1")
        #expect(type?.parameters.value(of: "name") == "my file.pdf")
        #expect(type?.parameters.value(of: "x") == "1")
        #expect(contentType("a/b;;; =bad; ok=yes")?.parameters == [MIMEParameter(name: "ok", value: "yes")])
    }

    /// RFC 2231 §3: continuations.
    @Test func continuationsAreJoined() {
        let type = contentType(
            "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\""
        )
        #expect(type?.parameters.value(of: "url") == "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar")
        #expect(type?.parameters.map(\.name) == ["access-type", "url"])
    }

    /// RFC 2231 §4: charset and language.
    @Test func charsetAndLanguageAreDecoded() {
        let type = contentType("application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A")
        #expect(type?.parameters == [MIMEParameter(name: "title", value: "This is ***fun***", language: "en-us")])
    }

    /// RFC 2231 §4.1: both combined, sections out of order.
    @Test func continuationsWithCharset() {
        let type = contentType(
            "application/x-stuff; title*2=\"isn't it!\"; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*0*=us-ascii'en'This%20is%20even%20more%20"
        )
        #expect(type?.parameters.value(of: "title") == "This is even more ***fun*** isn't it!")
        #expect(type?.parameters.first?.language == "en")
    }

    @Test func extendedFormWinsAndUTF8FileNamesDecode() {
        let disposition = ContentDisposition(
            parsing: Array("Attachment; filename=\"fallback.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt".utf8))
        #expect(disposition?.type == "attachment")
        #expect(disposition?.filename == "€ rates.txt")
        let latin = contentType("text/plain; name*=iso-8859-1''caf%E9.txt")
        #expect(latin?.parameters.value(of: "name") == "café.txt")
    }

    @Test func filenameDecodesEncodedWords() {
        let message = Fixtures.message(
            "Content-Type: application/pdf; name=\"=?UTF-8?B?w6l0w6kucGRm?=\"\nContent-Disposition: attachment\n\nx")
        #expect(message.root.filename == "été.pdf")
        #expect(message.root.contentDisposition == ContentDisposition(type: "attachment"))
    }
}
