import Testing

@testable import MIME

@Suite struct EncodedWordTests {
    /// RFC 2047 §8: encoded text, and how whitespace between words is displayed.
    @Test(arguments: [
        ("(=?ISO-8859-1?Q?a?=)", "(a)"),
        ("(=?ISO-8859-1?Q?a?= b)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"),
        ("(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
        ("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"),
        ("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"),
        ("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>"),
        ("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "André Pirard <PIRARD@vm1.ulg.ac.be>"),
        (
            "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
            "If you can read this you understand the example."
        ),
        (
            "Nathaniel Borenstein <nsb@thumper.bellcore.com> (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
            "Nathaniel Borenstein <nsb@thumper.bellcore.com> (םולש ןב ילטפנ)"
        ),
    ])
    func rfc2047Examples(encoded: String, decoded: String) {
        #expect(EncodedWord.decode(encoded) == decoded)
    }

    @Test func malformedWordsStayAsWritten() {
        for text in ["=?utf-8?X?abc?=", "=?utf-8?Q?no end", "=??Q?x?=", "=?utf-8?Q?a b?=", "a =? b ?= c"] {
            #expect(EncodedWord.decode(text) == text)
        }
    }

    @Test func adjacentWordsJoinBytesBeforeCharsetConversion() {
        // "é" (C3 A9) split across two encoded words.
        #expect(EncodedWord.decode("=?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?=") == "café")
        #expect(EncodedWord.decode("=?utf-8*en?B?w6k=?=") == "é")
    }

    @Test func textOutsideWordsIsUTF8OrLatin1() {
        #expect(EncodedWord.decode([0x63, 0x61, 0x66, 0xC3, 0xA9]) == "café")
        #expect(EncodedWord.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
    }

    @Test func headerFieldDecodedValue() {
        let message = Fixtures.message("Subject: =?iso-8859-1?q?J=F6rg?=\n  says hi\n\n")
        #expect(message.header.field("subject")?.value == "=?iso-8859-1?q?J=F6rg?=  says hi")
        #expect(message.header.field("subject")?.decodedValue == "Jörg  says hi")
    }
}
