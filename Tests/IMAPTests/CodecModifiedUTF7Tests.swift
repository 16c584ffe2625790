import Testing

@testable import IMAP

@Suite("Codec: modified UTF-7 (RFC 3501 §5.1.3)")
struct CodecModifiedUTF7Tests {
    @Test("RFC 3501's example and common names round-trip")
    func roundTrip() {
        let example = "~peter/mail/\u{53F0}\u{5317}/\u{65E5}\u{672C}\u{8A9E}"
        #expect(ModifiedUTF7.encode(example) == bytes("~peter/mail/&U,BTFw-/&ZeVnLIqe-"))
        #expect(ModifiedUTF7.decode(bytes("~peter/mail/&U,BTFw-/&ZeVnLIqe-")) == example)
        for name in [
            "INBOX", "Entwürfe", "A&B", "&", "&-", "Ünïcödé & more", "😀 emoji", "日本語", "a~b", "", "\u{7F}x",
            "tab\there",
        ] {
            #expect(ModifiedUTF7.decode(ModifiedUTF7.encode(name)) == name, "\(name)")
        }
        #expect(ModifiedUTF7.encode("A&B") == bytes("A&-B"))
        #expect(ModifiedUTF7.encode("Entwürfe") == bytes("Entw&APw-rfe"))
        #expect(ModifiedUTF7.encode("😀") == bytes("&2D3eAA-"))
    }

    @Test("invalid and non-minimal forms are rejected")
    func rejections() {
        for bad in [
            "&AGE-",  // 'a' must stand for itself
            "&U,BTFw",  // unterminated
            "&U,BTF-",  // leftover bits not zero / partial unit
            "&U,BTFw-&ZeVnLIqe-",  // adjacent shift sequences
            "&2D0-",  // lone high surrogate
            "&3gA-",  // lone low surrogate
            "&ZeVnLIqe=-",  // padding
            "&Ze/nLIqe-",  // '/' is not in the modified alphabet
            "a\u{1}b",  // control character
            "caf\u{e9}",  // 8-bit
            "&AA-",  // too short for a unit
        ] {
            #expect(ModifiedUTF7.decode(bytes(bad)) == nil, "\(bad)")
        }
        #expect(ModifiedUTF7.decode([0x66, 0xFF]) == nil)
    }
}
