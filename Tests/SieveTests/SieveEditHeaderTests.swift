import Testing

@testable import Sieve

@Suite("Sieve editheader (RFC 5293)")
struct SieveEditHeaderTests {
    @Test("addheader at the top or :last; later tests see it (§4)")
    func add() async throws {
        let result = try await SieveFixture.run(
            #"""
            require ["editheader", "fileinto"];
            addheader "X-Sieve" "filtered";
            addheader :last "X-Tail" "end";
            if header :is "X-Sieve" "filtered" { fileinto "seen"; }
            """#)
        #expect(
            result.headerEdits == [
                .add(name: "X-Sieve", value: "filtered", last: false), .add(name: "X-Tail", value: "end", last: true),
            ])
        #expect(result.actions == [.fileinto(mailbox: "seen", flags: [], create: false)])
    }

    @Test("deleteheader by name, :index, value patterns (§5)")
    func delete() async throws {
        let result = try await SieveFixture.run(
            #"""
            require ["editheader", "index"];
            deleteheader :index 1 :last "X-Spam";
            if header :is "X-Spam" "maybe" { discard; }
            deleteheader :matches "Cc" "*@example.com";
            if exists "Cc" { discard; }
            """#)
        #expect(result.headerEdits == [.delete(name: "X-Spam", occurrences: [2]), .delete(name: "Cc", occurrences: [1])])
        #expect(result.actions == [.keep(flags: [])])
    }

    @Test("Received and Auto-Submitted cannot be deleted, Auto-Submitted not added; Received may be added (§9)")
    func protected() async throws {
        let result = try await SieveFixture.run(
            #"require "editheader"; deleteheader "Received"; deleteheader "auto-submitted"; addheader "Auto-Submitted" "no"; addheader "Received" "x";"#
        )
        #expect(result.headerEdits == [.add(name: "Received", value: "x", last: false)])
    }

    @Test("apply replays the edits on raw header bytes")
    func apply() {
        let header = "A: 1\r\nX: one\r\n  folded\r\nX: two\r\nB: 2\r\n\r\nbody"
        let edited = SieveHeaderEdit.apply(
            [
                .add(name: "T", value: "top", last: false), .delete(name: "x", occurrences: [1]),
                .add(name: "U", value: "Ünï", last: true),
            ],
            to: Array(header.utf8))
        #expect(
            String(decoding: edited, as: UTF8.self)
                == "T: top\r\nA: 1\r\nX: two\r\nB: 2\r\nU: =?UTF-8?B?w5xuw68=?=\r\n\r\nbody")
    }

    @Test("a value with line breaks cannot inject fields")
    func injection() {
        let edited = SieveHeaderEdit.apply([.add(name: "X", value: "a\r\nBcc: evil@example.com", last: false)], to: [])
        #expect(String(decoding: edited, as: UTF8.self) == "X: a  Bcc: evil@example.com\r\n")
    }
}
