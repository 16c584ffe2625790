import Foundation
import Testing

@testable import Filter

@Suite struct ClamdInstreamTests {
    @Test func framesChunksWithBigEndianLengths() {
        #expect(ClamdInstream.command == Array("zINSTREAM\0".utf8))
        #expect(ClamdInstream.frame([1, 2, 3]) == [0, 0, 0, 3, 1, 2, 3])
        #expect(ClamdInstream.frame([UInt8](repeating: 7, count: 0x10203)).prefix(4) == [0, 1, 2, 3])
        #expect(ClamdInstream.end == [0, 0, 0, 0])
    }

    @Test func readsReplies() {
        #expect(ClamdInstream.parse(Array("stream: OK\0".utf8)) == .clean)
        #expect(ClamdInstream.parse(Array("stream: OK\n".utf8)) == .clean)
        #expect(ClamdInstream.parse(Array("stream: Eicar-Test-Signature FOUND\0".utf8)) == .infected("Eicar-Test-Signature"))
        #expect(
            ClamdInstream.parse(Array("INSTREAM size limit exceeded. ERROR\0".utf8))
                == .error("INSTREAM size limit exceeded."))
    }

    @Test func refusesMalformedReplies() {
        #expect(ClamdInstream.parse([]) == nil)
        #expect(ClamdInstream.parse(Array("hello".utf8)) == nil)
        #expect(ClamdInstream.parse(Array("stream:  FOUND".utf8)) == nil)
        #expect(ClamdInstream.parse([UInt8](repeating: 65, count: 5000)) == nil)
        #expect(ClamdInstream.parse(Array("stream: a\nb FOUND".utf8)) == nil)
        #expect(ClamdInstream.parse([0xFF, 0xFE]) == nil)
        // A name that would break the SMTP reply loses its control characters.
        #expect(ClamdInstream.parse(Array("stream: Bad\rName FOUND".utf8)) == .infected("BadName"))
    }
}

@Suite struct SpamcProtocolTests {
    @Test func writesTheRequestHead() {
        #expect(
            String(decoding: SpamcProtocol.request(length: 42, user: "alice"), as: UTF8.self)
                == "SYMBOLS SPAMC/1.5\r\nContent-length: 42\r\nUser: alice\r\n\r\n")
    }

    @Test func readsASymbolsReply() throws {
        let reply = try SpamcProtocol.parse(
            Array(
                "SPAMD/1.1 0 EX_OK\r\nContent-length: 26\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,MISSING_DATE,NO_RELAYS\r\n"
                    .utf8))
        #expect(reply == .init(isSpam: true, score: 1000, threshold: 5, symbols: ["GTUBE", "MISSING_DATE", "NO_RELAYS"]))
        let ham = try SpamcProtocol.parse(Array("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.1 / 5.0\r\n\r\n".utf8))
        #expect(!ham.isSpam && ham.score == -0.1 && ham.symbols.isEmpty)
    }

    @Test func refusesErrorsAndGarbage() {
        #expect(throws: SpamcProtocol.Failure.refused(code: 76, text: "Bad header line: x")) {
            try SpamcProtocol.parse(Array("SPAMD/1.0 76 Bad header line: x\r\n".utf8))
        }
        #expect(throws: SpamcProtocol.Failure.self) { try SpamcProtocol.parse(Array("HTTP/1.1 200 OK\r\n\r\n".utf8)) }
        #expect(throws: SpamcProtocol.Failure.self) { try SpamcProtocol.parse(Array("SPAMD/1.1 0 EX_OK\r\n\r\n".utf8)) }
        #expect(throws: SpamcProtocol.Failure.self) {
            try SpamcProtocol.parse(Array("SPAMD/1.1 0 EX_OK\r\nSpam: maybe ; 1 / 5\r\n\r\n".utf8))
        }
        #expect(throws: SpamcProtocol.Failure.self) {
            try SpamcProtocol.parse(Array("SPAMD/1.1 0 EX_OK\r\nSpam: True ; nan / 5\r\n\r\n".utf8))
        }
        #expect(throws: SpamcProtocol.Failure.self) { try SpamcProtocol.parse([UInt8](repeating: 65, count: 70_000)) }
    }
}

@Suite struct RspamdProtocolTests {
    let json =
        #"{"is_skipped":false,"score":16.5,"required_score":15,"action":"reject","symbols":{"GTUBE":{"name":"GTUBE","score":0},"R_DKIM_NA":{"name":"R_DKIM_NA","score":0}}}"#

    @Test func writesTheRequestHead() {
        let head = String(
            decoding: RspamdProtocol.request(
                host: "127.0.0.1:11333", length: 10,
                message: FilterMessage(
                    path: "/x", size: 10, clientIP: "192.0.2.1", heloName: "h\r\nX: y", sender: "a@b.example",
                    recipients: ["c@d.example"]), password: nil), as: UTF8.self)
        #expect(head.hasPrefix("POST /checkv2 HTTP/1.1\r\nHost: 127.0.0.1:11333\r\nConnection: close\r\nContent-Length: 10\r\n"))
        #expect(head.contains("\r\nIP: 192.0.2.1\r\nHelo: hX: y\r\nFrom: a@b.example\r\nRcpt: c@d.example\r\n\r\n"))
    }

    @Test func readsPlainAndChunkedReplies() throws {
        let plain = try RspamdProtocol.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)".utf8))
        #expect(plain == .init(score: 16.5, requiredScore: 15, action: "reject", symbols: ["GTUBE", "R_DKIM_NA"]))
        let half = json.utf8.count / 2
        let chunked =
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "\(String(half, radix: 16))\r\n\(json.prefix(half))\r\n"
            + "\(String(json.utf8.count - half, radix: 16))\r\n\(json.dropFirst(half))\r\n0\r\n\r\n"
        #expect(try RspamdProtocol.parse(Array(chunked.utf8)) == plain)
    }

    @Test func refusesErrorsAndGarbage() {
        #expect(throws: RspamdProtocol.Failure.httpStatus(500)) {
            try RspamdProtocol.parse(Array("HTTP/1.1 500 Internal\r\n\r\n".utf8))
        }
        #expect(throws: RspamdProtocol.Failure.self) { try RspamdProtocol.parse(Array("HTTP/1.1 200 OK\r\n\r\n{".utf8)) }
        #expect(throws: RspamdProtocol.Failure.self) { try RspamdProtocol.parse(Array("garbage".utf8)) }
        #expect(throws: RspamdProtocol.Failure.self) {
            try RspamdProtocol.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
        }
    }
}
