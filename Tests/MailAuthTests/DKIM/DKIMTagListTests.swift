import Testing

@testable import MailAuth

/// RFC 6376 §3.2: the tag=value list.
@Suite("DKIM tag lists")
struct DKIMTagListTests {
    private func parse(_ text: String) throws -> DKIMTagList { try DKIMTagList(parsing: Array(text.utf8)) }

    @Test func valuesAreTrimmedAndFoldingIsAllowed() throws {
        let tags = try parse(" v = 1 ;\r\n\ta=rsa-sha256;\r\n b=ab\r\n cd ; ")
        #expect(tags.tags.map(\.name) == ["v", "a", "b"])
        #expect(tags["v"]?.text == "1")
        #expect(tags["b"]?.text == "ab\r\n cd")
        #expect(String(decoding: tags["b"]!.compactValue, as: UTF8.self) == "abcd")
        // The value range keeps the white space around the value (§3.7 deletes all of it for b=).
        let octets = Array(" v = 1 ;\r\n\ta=rsa-sha256;\r\n b=ab\r\n cd ; ".utf8)
        #expect(String(decoding: octets[tags["b"]!.valueRange], as: UTF8.self) == "ab\r\n cd ")
    }

    @Test func emptyValuesAndEmptySpecsAreAccepted() throws {
        let tags = try parse("p=; s=*;;")
        #expect(tags["p"]?.value == [])
        #expect(tags["s"]?.text == "*")
    }

    @Test func syntaxErrorsAreRefused() {
        for bad in [
            "v=1; v=1",  // a tag twice (§3.2: the whole list is invalid)
            "v",  // no "="
            "1v=1",  // a name must start with a letter
            "v-x=1",  // "-" is not ALNUMPUNC
            "a=b c\u{01}",  // a control character
            "a=b\nc",  // a bare LF
            "a=b\r\nc",  // CRLF not followed by white space
            "a=b;c",  // "c" without "="
        ] {
            #expect(throws: DKIMSyntaxError.self, "\(bad.debugDescription)") { try parse(bad) }
        }
    }

    @Test func tooManyTagsAreRefused() {
        let many = (0..<65).map { "t\($0)=x" }.joined(separator: ";")
        #expect(throws: DKIMSyntaxError.self) { try parse(many) }
        #expect(throws: Never.self) { try parse((0..<64).map { "t\($0)=x" }.joined(separator: ";")) }
    }
}
