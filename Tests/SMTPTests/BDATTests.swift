import Core
import Testing

@testable import SMTP

@Suite("Session: BDAT (RFC 3030)")
struct BDATTests {
    @Test func chunksAndLast() throws {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "BDAT 5\r\nhelloBDAT 8 LAST\r\n world\r\nNOOP\r\n")
        #expect(actions.statuses.suffix(3) == ["250 2.0.0", "250 2.0.0", "250 2.0.0"])
        #expect(actions.replies[3].lines == ["5 octets received"])
        #expect(actions.replies[4].lines == ["Queued"])
        let message = try #require(d.messages.first)
        #expect(message.data == bytes("hello world\r\n"))
        #expect(message.envelope.messageSize == 13)
    }

    @Test func zeroLast() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "BDAT 0 LAST\r\n")
        #expect(actions.codes.last == 250)
        #expect(d.messages.map(\.data) == [[]])
    }

    @Test func binaryContentIsRawIncludingEndOfDataLookalikes() {
        var d = SessionDriver()
        let chunk: [UInt8] = bytes("\r\n.\r\n") + [0, 13, 255, 10, 46, 46, 13, 10, 46, 13, 10] + bytes("QUIT\r\n")
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<bob@example.org>\r\n")
        let actions = d.send(bytes("BDAT \(chunk.count) LAST\r\n") + chunk + bytes("NOOP\r\n"))
        #expect(actions.codes == [250, 250])
        #expect(d.messages.first?.data == chunk)
        #expect(d.messages.first?.envelope.body == .binaryMIME)
        #expect(!d.session.isClosed)
    }

    @Test func refusedChunkIsSkippedToStayInStep() {
        var d = SessionDriver()
        // No MAIL: refused, yet its 12 octets are not commands.
        let actions = d.send("EHLO c.example\r\nBDAT 12\r\nQUIT\r\nQUIT\r\nNOOP\r\n")
        #expect(actions.statuses == ["250", "503 5.5.1", "250 2.0.0"])
        #expect(!d.session.isClosed)
        // No recipients.
        let second = d.send("MAIL FROM:<a@b.example>\r\nBDAT 6 LAST\r\nQUIT\r\nNOOP\r\n")
        #expect(second.statuses == ["250 2.1.0", "503 5.5.1", "250 2.0.0"])
    }

    @Test func refusedChunkSkippedAcrossReceives() {
        var d = SessionDriver()
        #expect(d.send("EHLO c.example\r\nBDAT 10\r\nQUI").statuses == ["250", "503 5.5.1"])
        #expect(d.send("T\r\nQUI").isEmpty)
        #expect(d.send("TQUIT\r\n").statuses == ["221 2.0.0"])
    }

    @Test func oversizedChunkEndsTheTransactionAndLaterChunksAreRefused() {
        var d = SessionDriver(.test { $0.maxMessageSize = 10 })
        let actions = d.send(openTransaction + "BDAT 6\r\n123456BDAT 6\r\n123456BDAT 2 LAST\r\nabNOOP\r\n")
        #expect(actions.statuses.suffix(4) == ["250 2.0.0", "552 5.3.4", "503 5.5.1", "250 2.0.0"])
        #expect(actions.filter { $0 == .messageAborted }.count == 1)
        #expect(d.messages.isEmpty)
    }

    @Test func hopLimitInAChunk() {
        var d = SessionDriver(.test { $0.maxReceivedHeaders = 1 })
        let chunk = "Received: a\r\nReceived: b\r\n\r\nx"
        let actions = d.send(openTransaction + "BDAT \(chunk.utf8.count)\r\n\(chunk)BDAT 0 LAST\r\n")
        #expect(actions.statuses.suffix(2) == ["554 5.4.6", "503 5.5.1"])
        #expect(actions.contains(.messageAborted))
    }

    @Test func dataAfterBDATIsRefused() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "BDAT 3\r\nabcDATA\r\nBDAT 0 LAST\r\n")
        #expect(actions.statuses.suffix(3) == ["250 2.0.0", "503 5.5.1", "250 2.0.0"])
        #expect(d.messages.map(\.data) == [bytes("abc")])
    }

    @Test func rcptDuringChunksIsRefused() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "BDAT 1\r\naRCPT TO:<carol@example.org>\r\n")
        #expect(actions.statuses.last == "503 5.5.1")
    }

    @Test func rsetBetweenChunksAbortsTheMessage() {
        var d = SessionDriver()
        let actions = d.send(openTransaction + "BDAT 3\r\nabcRSET\r\n")
        #expect(
            Array(actions.suffix(3)) == [
                .reply(SMTPReply(250, .init(2, 0, 0), "3 octets received")), .messageAborted, .reply(SMTPServerReplies.ok()),
            ])
        #expect(d.send("BDAT 0 LAST\r\n").statuses == ["503 5.5.1"])
    }

    @Test func lmtpBDATLastGivesOneReplyPerRecipient() {
        var d = SessionDriver(.test { $0.mode = .lmtp })
        let actions = d.send(
            "LHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<full@example.org>\r\nBDAT 2\r\nhiBDAT 1 LAST\r\n!"
        )
        #expect(actions.statuses.suffix(3) == ["250 2.0.0", "250 2.0.0", "452 4.2.2"])
        #expect(d.messages.first?.data == bytes("hi!"))
    }

    @Test func chunkDataIsFlushedAtEveryChunkEnd() {
        var d = SessionDriver(.test { $0.bodyChunkSize = 4 })
        let actions = d.send(openTransaction + "BDAT 6\r\nabcdefBDAT 2 LAST\r\ngh")
        let pieces = actions.compactMap { if case .messageData(let b) = $0 { String(decoding: b, as: UTF8.self) } else { nil } }
        #expect(pieces == ["abcd", "ef", "gh"])
    }
}
