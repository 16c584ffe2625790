import Testing

@testable import MIME

@Suite struct CharsetTests {
    @Test(arguments: [
        ("utf-8", [0xC3, 0xA9] as [UInt8], "é"),
        ("us-ascii", [0x41], "A"),
        ("ISO-8859-1", [0xE9], "é"),
        ("iso-8859-2", [0xB1], "ą"),
        ("iso-8859-5", [0xD0], "а"),
        ("iso-8859-7", [0xE1], "α"),
        ("iso-8859-15", [0xA4], "€"),
        ("windows-1250", [0x9A], "š"),
        ("windows-1251", [0xE6], "ж"),
        ("windows-1252", [0x80], "€"),
        ("cp1252", [0x80], "€"),
        ("windows-1255", [0xE0], "א"),
        ("windows-1258", [0x41], "A"),
        ("koi8-r", [0xC1], "а"),
        ("gb2312", [0xC4, 0xE3, 0xBA, 0xC3], "你好"),
        ("gbk", [0xC4, 0xE3], "你"),
        ("big5", [0xA7, 0x41], "你"),
        ("shift_jis", [0x93, 0xFA, 0x96, 0x7B], "日本"),
        ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC, 0x8E, 0xB1], "日本ｱ"),
        ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
        ("x-unknown", [0x68, 0xC3, 0xA9], "hé"),
    ])
    func decodes(charset: String, bytes: [UInt8], expected: String) {
        #expect(Charset.decode(bytes, charset: charset) == expected)
    }

    @Test func unknownCharsetIsReported() {
        #expect(Charset.isSupported("KOI8-R"))
        #expect(!Charset.isSupported("x-klingon"))
    }
}
