import Testing

@testable import MIME

@Suite struct TransferEncodingTests {
    @Test func base64DecodesAndIgnoresWhitespaceAndGarbage() {
        #expect(Base64.decode(Array("SGVsbG8s\r\n IHdv*cmxkIQ==".utf8)) == Array("Hello, world!".utf8))
        #expect(Base64.decode(Array("YQ".utf8)) == Array("a".utf8))
        #expect(Base64.decode(Array("YWI".utf8)) == Array("ab".utf8))
        #expect(Base64.decode(Array("====".utf8)) == [])
    }

    @Test func quotedPrintableDecodesOctetsSoftBreaksAndTrailingSpace() {
        let encoded = Array("caf=C3=A9 =3d=\r\nsame line   \r\nnext=20\r\nbad=ZZ=\nend=".utf8)
        let decoded = QuotedPrintable.decode(encoded[...])
        #expect(String(decoding: decoded, as: UTF8.self) == "café =same line\r\nnext \r\nbad=ZZend")
    }

    @Test func transferEncodingNamesAreCaseInsensitive() {
        #expect(TransferEncoding("BASE64") == .base64)
        #expect(TransferEncoding(nil) == .sevenBit)
        #expect(TransferEncoding("Quoted-Printable (comment)") == .quotedPrintable)
        #expect(TransferEncoding("x-uuencode") == .other("x-uuencode"))
        #expect(TransferEncoding("x-uuencode").decode([1, 2][...]) == nil)
    }
}
