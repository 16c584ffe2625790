import Testing

@testable import Migration

/// The sans-I/O response reader of `posta import imap`: framing with literals, the responses the pull reads,
/// and hostile input refused with an error.
@Suite("IMAP pull response reader")
struct IMAPPullReaderTests {
    /// Feeds `bytes` in chunks of `size` and collects every response.
    static func read(_ bytes: [UInt8], chunk size: Int, reader: IMAPResponseReader = IMAPResponseReader()) throws
        -> [IMAPPullResponse]
    {
        var reader = reader
        var out: [IMAPPullResponse] = []
        var index = 0
        while index < bytes.count {
            reader.append(bytes[index..<min(index + size, bytes.count)])
            index += size
            while let response = try reader.next() { out.append(response) }
        }
        return out
    }

    static let fetchStream = Array(
        ("* 3 FETCH (UID 17 FLAGS (\\Seen $Label1 \\Recent) INTERNALDATE \" 2-Jan-2024 10:20:30 +0200\" "
            + "RFC822.SIZE 14 BODY[] {14}\r\nSubject: x\r\n\r\n)\r\n"
            + "* 4 FETCH (FLAGS () UID 18 BODY[] NIL)\r\np5 OK [READ-ONLY] done\r\n").utf8)

    @Test("a literal split across chunks at every size gives the same responses")
    func literalsAcrossChunks() throws {
        let whole = try Self.read(Self.fetchStream, chunk: Self.fetchStream.count)
        #expect(whole.count == 3)
        for size in 1...40 {
            #expect(try Self.read(Self.fetchStream, chunk: size) == whole)
        }
    }

    @Test("FETCH items: UID, FLAGS, INTERNALDATE, RFC822.SIZE, BODY[] literal")
    func fetchItems() throws {
        let responses = try Self.read(Self.fetchStream, chunk: 7)
        guard case .fetch(let sequence, let data) = responses[0] else {
            Issue.record("not a FETCH: \(responses[0])")
            return
        }
        #expect(sequence == 3)
        #expect(data.uid == 17)
        #expect(data.flags == ["\\Seen", "$Label1", "\\Recent"])
        // 2024-01-02 10:20:30 +0200 = 08:20:30 UTC.
        #expect(data.internalDate == 1_704_183_630)
        #expect(data.size == 14)
        #expect(data.body == Array("Subject: x\r\n\r\n".utf8))
        #expect(responses[1] == .fetch(sequence: 4, IMAPPullFetch(uid: 18, flags: [], body: nil)))
        #expect(responses[2] == .tagged(tag: "p5", status: "OK", code: "READ-ONLY", text: "done"))
    }

    @Test("LIST with quoted, atom, literal and NIL-delimiter names")
    func listNames() throws {
        let stream = Array(
            ("* LIST (\\HasNoChildren) \".\" \"Sent Items\"\r\n* LIST (\\Noselect \\HasChildren) \"/\" Archive\r\n"
                + "* LIST () \"/\" {10}\r\nWork/\"Q\" 1\r\n* LIST () NIL INBOX\r\n").utf8)
        let responses = try Self.read(stream, chunk: 5)
        #expect(
            responses == [
                .list(IMAPPullListEntry(attributes: ["\\HasNoChildren"], delimiter: ".", name: "Sent Items")),
                .list(IMAPPullListEntry(attributes: ["\\Noselect", "\\HasChildren"], delimiter: "/", name: "Archive")),
                .list(IMAPPullListEntry(attributes: [], delimiter: "/", name: "Work/\"Q\" 1")),
                .list(IMAPPullListEntry(attributes: [], delimiter: nil, name: "INBOX")),
            ])
        guard case .list(let noselect) = responses[1] else { return }
        #expect(!noselect.isSelectable)
    }

    @Test("status responses with codes: UIDVALIDITY, UIDNEXT, EXISTS")
    func examineResponses() throws {
        let stream = Array(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n* OK [UIDNEXT 4392] Predicted\r\n+ go ahead\r\n"
                .utf8)
        #expect(
            try Self.read(stream, chunk: 3) == [
                .other("2 EXISTS"),
                .untaggedStatus(status: "OK", code: "UIDVALIDITY 3857529045", text: "UIDs valid"),
                .untaggedStatus(status: "OK", code: "UIDNEXT 4392", text: "Predicted"),
                .continuation,
            ])
    }

    @Test("INTERNALDATE: RFC 9051 date-time, padded day, zones; nonsense refused")
    func internalDates() {
        #expect(IMAPPullDate.parse(Array("17-Jul-1996 02:44:25 -0700".utf8)) == 837_596_665)
        #expect(IMAPPullDate.parse(Array(" 1-Jan-1970 00:00:00 +0000".utf8)) == 0)
        #expect(IMAPPullDate.parse(Array("29-Feb-2024 23:59:59 +0000".utf8)) == 1_709_251_199)
        #expect(IMAPPullDate.parse(Array("32-Jan-2024 00:00:00 +0000".utf8)) == nil)
        #expect(IMAPPullDate.parse(Array("01-Foo-2024 00:00:00 +0000".utf8)) == nil)
        #expect(IMAPPullDate.parse(Array("01-Jan-2024 00:00 +0000".utf8)) == nil)
    }

    static func refusal(_ text: String, reader: IMAPResponseReader = IMAPResponseReader()) -> IMAPPullError? {
        do {
            _ = try read(Array(text.utf8), chunk: 4096, reader: reader)
            return nil
        } catch {
            return error as? IMAPPullError
        }
    }

    @Test("a literal announced above the bound is refused before it is read")
    func oversizedLiteral() {
        let error = Self.refusal(
            "* 1 FETCH (UID 1 BODY[] {1048577}\r\n", reader: IMAPResponseReader(maxLiteralSize: 1 << 20))
        #expect(error?.description.contains("1048577") == true)
        #expect(Self.refusal("* 1 FETCH (BODY[] {99999999999999999999}\r\n") != nil)
    }

    @Test("an unterminated quoted string is refused")
    func unterminatedQuoted() {
        #expect(Self.refusal("* 1 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25)\r\n")?.description == "unterminated quoted string")
        #expect(Self.refusal("* LIST () \"/\" \"abc\r\n") != nil)
    }

    @Test("parentheses nested too deep are refused, without recursing without end")
    func overDeep() {
        let deep = "* 1 FETCH (X " + String(repeating: "(", count: 10_000) + ")\r\n"
        #expect(Self.refusal(deep)?.description.contains("nested deeper") == true)
    }

    @Test("a line over the bound without CRLF is refused; errors stay")
    func overLongLine() throws {
        var reader = IMAPResponseReader(maxLineLength: 1000)
        reader.append(Array(repeating: UInt8(ascii: "a"), count: 999))
        #expect(try reader.next() == nil)
        reader.append(Array(repeating: UInt8(ascii: "a"), count: 10))
        #expect(throws: IMAPPullError.self) { try reader.next() }
        reader.append(Array("\r\n".utf8))
        #expect(throws: IMAPPullError.self) { try reader.next() }
    }

    @Test("other grammar errors are errors, not crashes")
    func garbage() {
        for text in [
            "p1 MAYBE x\r\n", "*\r\n", "* 1 FETCH (UID)\r\n", "* 1 FETCH (UID 0)\r\n", "* 1 FETCH (FLAGS \"x\")\r\n",
            "* LIST (\\X) \"ab\" c\r\n", "* 1 FETCH (BODY[] {5}\r\nabc", "* 1 FETCH (UID 1 {3}\r\n",
        ] {
            _ = Self.refusal(text)
        }
        #expect(Self.refusal("p1 MAYBE x\r\n") != nil)
        #expect(Self.refusal("* 1 FETCH (UID 0)\r\n") != nil)
        #expect(Self.refusal("* 1 FETCH (FLAGS \"x\")\r\n") != nil)
    }

    @Test("folder names: delimiter levels, modified UTF-7, INBOX, a / inside a level")
    func folderNames() {
        let decode: (String) -> String? = { $0 == "Entw&APw-rfe" ? "Entwürfe" : ($0.contains("&") ? nil : $0) }
        func name(_ n: String, _ d: Character?) -> String? {
            try? IMAPPullFolderName.postaName(IMAPPullListEntry(attributes: [], delimiter: d, name: n), decode: decode).get()
        }
        #expect(name("inbox", ".") == "INBOX")
        #expect(name("INBOX.Entw&APw-rfe", ".") == "INBOX/Entwürfe")
        #expect(name("Work.2024", ".") == "Work/2024")
        #expect(name("a/b", ".") == nil)
        #expect(name("a&-broken", "/") == nil)
        #expect(name("Flat", nil) == "Flat")
    }
}
