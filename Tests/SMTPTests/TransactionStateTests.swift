import Core
import Foundation
import Queue
import Testing

@testable import SMTP

/// The session owns the whole transaction: what RCPT found (deliveries, policy), the spool file
/// and the trace fields reach the end-of-data effect from the session, not from the adapter.
@Suite("Session: the transaction's state (routes, policy, spool, trace)")
struct TransactionStateTests {
    static func delivery(_ recipient: String, account: Int64) -> QueuedDelivery {
        QueuedDelivery(recipient: recipient, kind: .local, accountID: account, target: recipient)
    }

    /// Accepts every recipient with one local delivery (account = its position in `accounts`) and
    /// a policy that holds mail for `hold@…` and adds a header field per recipient domain.
    static let routing: SessionDriver.Responder = { effect in
        guard case .checkRecipient(let request) = effect else { return SessionDriver.standard(effect) }
        let address = request.recipient.address
        if address.localPart == "nobody" { return .reply(SMTPReply(550, .init(5, 1, 1), "No such user")) }
        let accounts = ["bob", "carol", "hold"]
        let route = SMTPRecipientRoute(
            deliveries: [delivery(address.description, account: Int64(accounts.firstIndex(of: address.localPart) ?? 9))],
            policy: SMTPMessagePolicy(hold: address.localPart == "hold", headers: ["X-Domain: \(address.domain)"]))
        return .recipientAccepted(SMTPReply(250, .init(2, 1, 5), "Recipient OK"), route)
    }

    @Test func routesAndPolicyOfAcceptedRecipientsReachTheEndOfData() throws {
        var d = SessionDriver(responder: Self.routing)
        let actions = d.send(
            "EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<carol@example.org>\r\nRCPT TO:<nobody@example.org>\r\n"
                + "RCPT TO:<hold@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(actions.statuses.suffix(6) == ["250 2.1.5", "550 5.1.1", "250 2.1.5", "250 2.1.5", "354", "250 2.0.0"])
        let message = try #require(d.completed.first)
        #expect(message.envelope.recipients.map(\.address.localPart) == ["carol", "hold", "bob"])
        // In envelope order, the refused recipient left out.
        #expect(message.deliveries.map { $0.map(\.accountID) } == [[1], [2], [0]])
        #expect(message.policy == SMTPMessagePolicy(hold: true, headers: ["X-Domain: example.org"]))

        // The next transaction starts from nothing.
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\ny\r\n.\r\n")
        #expect(d.completed.last?.policy == SMTPMessagePolicy(headers: ["X-Domain: example.org"]))
        #expect(d.completed.last?.deliveries.map { $0.map(\.accountID) } == [[0]])
    }

    @Test func aPlainReplyAcceptsWithoutDeliveries() throws {
        var d = SessionDriver()
        d.send(openTransaction + "DATA\r\nx\r\n.\r\n")
        let message = try #require(d.completed.first)
        #expect(message.deliveries == [[]])
        #expect(message.policy == SMTPMessagePolicy())
    }

    @Test func theSpoolIsAskedForAtTheFirstOctetWithTheTraceFields() throws {
        var d = SessionDriver()
        d.send("EHLO client.example\r\nMAIL FROM:<a@b.example> SMTPUTF8\r\nRCPT TO:<bob@example.org>\r\n")
        #expect(d.traces.isEmpty)
        #expect(d.send("DATA\r\n").codes == [354])
        #expect(d.traces.isEmpty)  // no content yet
        d.send("hello\r\n.\r\n")
        let trace = SMTPTrace(
            heloName: "client.example", clientIP: "192.0.2.7", protocolName: "UTF8SMTP", recipient: "bob@example.org")
        #expect(d.traces == [trace])
        // Two different recipients: no `for` clause; one recipient given twice still has one.
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nBDAT 2 LAST\r\nhi")
        #expect(d.traces.last?.recipient == nil)
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(d.traces.last?.recipient == "bob@example.org")
        #expect(d.traces.count == 3)
    }

    @Test func anEmptyMessageNeverAsksForASpool() {
        var d = SessionDriver()
        #expect(d.send(openTransaction + "DATA\r\n.\r\n").codes.suffix(2) == [354, 250])
        #expect(d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 0 LAST\r\n").codes == [250, 250, 250])
        #expect(d.traces.isEmpty)
        #expect(d.completed.map(\.spool) == [nil, nil])
    }

    @Test func implicitTLSNamesItsVersionInTheTrace() {
        var d = SessionDriver(client: SMTPClientInfo(remoteIP: "192.0.2.7", isTLS: true))
        d.session.tlsNegotiated(.test)
        d.send(openTransaction + "DATA\r\nx\r\n.\r\n")
        #expect(d.traces.first?.tls == "TLSv1.3")
        #expect(d.traces.first?.protocolName == "ESMTPS")
        // A plaintext connection ignores it.
        var plain = SessionDriver()
        plain.session.tlsNegotiated(.test)
        plain.send(openTransaction + "DATA\r\nx\r\n.\r\n")
        #expect(plain.traces.first?.tls == nil)
    }

    @Test func hasTransactionFromMAILToTheEndOfDataReply() {
        var session = SMTPServerSession(configuration: .test, client: .test)
        _ = session.start()
        _ = session.receive(bytes("EHLO c.example\r\n"))
        #expect(!session.hasTransaction)
        _ = session.receive(bytes("MAIL FROM:<a@b.example>\r\n"))
        #expect(session.hasTransaction)  // being checked
        _ = session.resume(.reply(SMTPReply(550, .init(5, 7, 1), "No")))
        #expect(!session.hasTransaction)
        _ = session.receive(bytes("MAIL FROM:<a@b.example>\r\n"))
        _ = session.resume(.reply(SMTPReply(250, .init(2, 1, 0), "OK")))
        #expect(session.hasTransaction)
        _ = session.receive(bytes("RSET\r\n"))
        #expect(!session.hasTransaction)
    }
}

/// The spool handle's life: it is discarded by the session whenever the transaction ends without
/// handing it to the end-of-data effect, and never once it was handed over.
@Suite("Session: the spool file's handle")
struct SpoolHandleTests {
    final class Files: @unchecked Sendable {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        var opened: [SMTPSpool] = []
        init() { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func open() -> SMTPSpool? {
            let id = "q\(opened.count)"
            guard let file = try? DurableFile(creating: "\(directory)/\(id)") else { return nil }
            let spool = SMTPSpool(id: id, file: file)
            opened.append(spool)
            return spool
        }
    }

    /// Drives `session` by hand, answering `.openSpool` with a real file; returns the actions.
    static func feed(_ session: inout SMTPServerSession, _ text: String, _ files: Files) -> [SMTPServerAction] {
        var batch = session.receive(bytes(text))
        var all = batch
        while case .effect(let effect)? = batch.last {
            switch effect {
            case .openSpool: batch = session.resume(.spoolOpened(files.open()))
            case .messageComplete: return all
            default: batch = session.resume(SessionDriver.standard(effect))
            }
            all += batch
        }
        return all
    }

    static func discarded(_ actions: [SMTPServerAction]) -> [String] {
        actions.compactMap { if case .discardSpool(let spool) = $0 { spool.id } else { nil } }
    }

    @Test func theSpoolGoesToTheEndOfDataEffect() throws {
        let files = Files()
        var session = SMTPServerSession(configuration: .test, client: .test)
        _ = session.start()
        let actions = Self.feed(&session, openTransaction + "DATA\r\nhello\r\n.\r\n", files)
        guard case .effect(.messageComplete(let message))? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        let spool = try #require(message.spool)
        #expect(spool === files.opened.first)
        #expect(Self.discarded(actions).isEmpty)
        // The content came in the same batch as the effect: the adapter writes it (in order, before
        // running the effect) to the spool the session still names.
        #expect(actions.contains(.messageData(bytes("hello\r\n"))))
        #expect(session.spool === spool)
        // The connection drops while the effect runs: the file is the effect's, not discarded.
        #expect(Self.discarded(session.connectionClosed()).isEmpty)
    }

    @Test func rsetBetweenChunksDiscardsIt() {
        let files = Files()
        var session = SMTPServerSession(configuration: .test, client: .test)
        _ = session.start()
        var actions = Self.feed(&session, openTransaction + "BDAT 3\r\nabc", files)
        #expect(session.spool === files.opened.first)
        actions = Self.feed(&session, "RSET\r\n", files)
        #expect(actions.contains(.messageAborted))
        #expect(Self.discarded(actions) == ["q0"])
        #expect(session.spool == nil)
    }

    @Test func aBrokenLimitOrAClosedConnectionDiscardsIt() {
        let files = Files()
        var session = SMTPServerSession(configuration: .test { $0.maxMessageSize = 10 }, client: .test)
        _ = session.start()
        let tooBig = Self.feed(&session, openTransaction + "DATA\r\n" + String(repeating: "x", count: 20) + "\r\n.\r\n", files)
        #expect(tooBig.codes.suffix(1) == [552])
        #expect(Self.discarded(tooBig) == ["q0"])

        _ = Self.feed(&session, "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nabc", files)
        #expect(session.spool?.id == "q1")
        #expect(Self.discarded(session.connectionClosed()) == ["q1"])
        #expect(session.isClosed)
    }

    @Test func aFailedWriteMarksTheSpool() throws {
        let files = Files()
        let spool = try #require(files.open())
        try spool.write(bytes("a"))
        spool.discard()  // closes the descriptor: the next write fails
        #expect(throws: FileError.self) { try spool.write(bytes("b")) }
        #expect(spool.failed)
        try spool.write(bytes("c"))  // ignored once failed
    }
}
