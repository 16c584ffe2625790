import Connection
import Core

/// The sans-I/O SMTP client for outbound delivery: one mail transaction, or several over one
/// connection when `SMTPClientConfiguration.keepsConnection` is set (RSET before each further
/// one, RFC 5321 §4.1.1.5). Feed it the server's bytes (`receive`) and the driver's events (`tlsEstablished`, `timedOut`,
/// `connectionClosed`); it answers with `SMTPClientAction`s. No I/O, no clock.
public struct SMTPClientSession: Sendable {
    public let configuration: SMTPClientConfiguration
    public private(set) var envelope: OutboundEnvelope
    /// The capabilities of the last successful EHLO (RFC 3207 §4.2: forgotten after STARTTLS).
    public private(set) var capabilities = SMTPClientCapabilities()
    public private(set) var isTLS: Bool
    /// The reply the session is waiting for; nil once the session is over.
    public private(set) var waitState: SMTPClientWaitState? = .greeting

    private enum Expected: Sendable {
        case mail
        case rcpt(Int)
        case data
    }

    private var parser: SMTPClientReplyParser
    /// Transaction replies still due, in command order (RFC 2920 §3.1 keeps them in order).
    private var pending: [Expected] = []
    private var results: [SMTPRecipientResult?]
    /// Recipients with a 2xx to RCPT, waiting for the end of data.
    private var acceptedAtRCPT: [Int] = []
    private var mailAccepted = false
    private var pipelined = false
    /// 354 arrived although nothing may be sent: the session sent a lone "." and discards its reply.
    private var abandoningData = false
    private var finishedSent = false
    private var reversePathValid: Bool
    /// AUTH LOGIN: how many of user name and password have been sent.
    private var loginStep = 0

    public init(configuration: SMTPClientConfiguration, envelope: OutboundEnvelope) {
        self.configuration = configuration
        self.envelope = envelope
        self.isTLS = configuration.isTLS
        self.parser = SMTPClientReplyParser(
            maxLineLength: configuration.maxLineLength, maxLines: configuration.maxReplyLines)
        self.reversePathValid = Self.isSafePath(envelope.reversePath)
        self.results = Self.initialResults(envelope)
    }

    /// Never put a path that could end the command line or the angle brackets on the wire.
    private static func initialResults(_ envelope: OutboundEnvelope) -> [SMTPRecipientResult?] {
        envelope.recipients.map { recipient in
            guard isSafePath(recipient.address), !recipient.address.isEmpty else {
                return SMTPRecipientResult(
                    recipient: recipient,
                    outcome: .permanentFailure(SMTPReply(501, .init(5, 1, 3), "Invalid recipient address syntax")),
                    fromServer: false)
            }
            return nil
        }
    }

    /// Starts another transaction on a connection left `.idle` by the previous one: RSET first,
    /// which also proves the cached connection still works.
    public mutating func nextTransaction(_ envelope: OutboundEnvelope) -> [SMTPClientAction] {
        precondition(waitState == .idle, "nextTransaction needs an idle session")
        self.envelope = envelope
        reversePathValid = Self.isSafePath(envelope.reversePath)
        results = Self.initialResults(envelope)
        acceptedAtRCPT = []
        mailAccepted = false
        abandoningData = false
        finishedSent = false
        waitState = .rset
        return [.send(Self.line("RSET"))]
    }

    /// Ends an idle session: QUIT, then close on its reply.
    public mutating func end() -> [SMTPClientAction] {
        guard waitState == .idle else { return [] }
        waitState = .quit
        return [.send(Self.line("QUIT"))]
    }

    // MARK: - Events

    /// Bytes from the server, split anywhere.
    public mutating func receive(_ bytes: [UInt8]) -> [SMTPClientAction] {
        guard waitState != nil else { return [] }
        let replies: [SMTPReply]
        do {
            replies = try parser.parse(bytes)
        } catch {
            return protocolError("\(error)")
        }
        var actions: [SMTPClientAction] = []
        for (index, reply) in replies.enumerated() {
            guard waitState != nil else { break }
            if waitState == .startTLS, reply.code == 220,
                index != replies.count - 1 || parser.hasBufferedInput
            {
                // RFC 3207 §4.2/§6: nothing may follow the 220 in plaintext; bytes that do could be
                // an injected reply meant to be read after the handshake.
                return actions + protocolError("data after the STARTTLS reply")
            }
            actions += handle(reply)
        }
        return actions
    }

    /// The driver finished the TLS handshake after `.startTLS`: forget what EHLO said and say
    /// EHLO again (RFC 3207 §4.2).
    public mutating func tlsEstablished() -> [SMTPClientAction] {
        guard waitState == .tlsHandshake else { return [] }
        isTLS = true
        capabilities = SMTPClientCapabilities()
        parser = SMTPClientReplyParser(maxLineLength: configuration.maxLineLength, maxLines: configuration.maxReplyLines)
        waitState = .ehlo
        return [.send(Self.line("EHLO \(configuration.heloName)"))]
    }

    /// No reply in time: every unfinished recipient fails temporarily (RFC 5321 §4.5.3.2).
    public mutating func timedOut() -> [SMTPClientAction] {
        guard let state = waitState else { return [] }
        return connectionFailure(SMTPReply(421, .init(4, 4, 2), "Timeout waiting for the \(state) reply"), fromServer: false)
    }

    /// The connection closed or failed (TLS handshake included).
    public mutating func connectionClosed(reason: String = "Connection closed by the server") -> [SMTPClientAction] {
        guard waitState != nil else { return [] }
        return connectionFailure(SMTPReply(421, .init(4, 4, 2), reason), fromServer: false)
    }

    /// The result so far (every recipient without an outcome is absent).
    public var result: SMTPDeliveryResult {
        SMTPDeliveryResult(recipients: results.compactMap { $0 }, capabilities: capabilities, usedTLS: isTLS)
    }

    // MARK: - Replies

    private mutating func handle(_ reply: SMTPReply) -> [SMTPClientAction] {
        guard let state = waitState else { return [] }
        if state == .quit {
            waitState = nil
            return [.close]
        }
        // RFC 5321 §3.8: 421 may come in answer to anything; the server closes the connection.
        if reply.code == 421 { return connectionFailure(reply, fromServer: true) }
        switch state {
        case .greeting:
            if reply.code == 220 {
                waitState = .ehlo
                return [.send(Self.line("EHLO \(configuration.heloName)"))]
            }
            // RFC 5321 §3.1: a 554 (or other failure) greeting; QUIT and wait for the reply.
            guard reply.isTransientFailure || reply.isPermanentFailure else { return protocolError("unexpected greeting") }
            return failAllAndQuit(SMTPRecipientOutcome(classifying: reply), fromServer: true)
        case .ehlo:
            if reply.isPositiveCompletion {
                capabilities = SMTPClientCapabilities(ehloReply: reply)
                return afterHello()
            }
            // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
            if reply.isPermanentFailure {
                waitState = .helo
                return [.send(Self.line("HELO \(configuration.heloName)"))]
            }
            guard reply.isTransientFailure else { return protocolError("unexpected EHLO reply") }
            return failAllAndQuit(.temporaryFailure(reply), fromServer: true)
        case .helo:
            if reply.isPositiveCompletion {
                capabilities = SMTPClientCapabilities()
                return afterHello()
            }
            guard reply.isTransientFailure || reply.isPermanentFailure else { return protocolError("unexpected HELO reply") }
            return failAllAndQuit(SMTPRecipientOutcome(classifying: reply), fromServer: true)
        case .startTLS:
            if reply.code == 220 {
                waitState = .tlsHandshake
                return [.startTLS]
            }
            guard reply.isTransientFailure || reply.isPermanentFailure else {
                return protocolError("unexpected STARTTLS reply")
            }
            if configuration.tlsPolicy == .required {
                let text = "STARTTLS refused by the server: \(reply.code) \(reply.lines.joined(separator: " "))"
                return failAllAndQuit(.temporaryFailure(SMTPReply(450, .init(4, 7, 4), text)), fromServer: false)
            }
            // Opportunistic: carry on in plaintext (RFC 3207 §4.1 leaves this to the client).
            return startTransaction()
        case .tlsHandshake:
            return protocolError("plaintext reply during the TLS handshake")
        case .auth:
            return authReply(reply)
        case .rset:
            if reply.isPositiveCompletion { return startTransaction() }
            return failAllAndQuit(.temporaryFailure(reply), fromServer: false)
        case .idle:
            return protocolError("unexpected reply between transactions")
        case .mail, .rcpt, .data:
            return transactionReply(reply)
        case .dataTermination:
            if abandoningData { return endTransaction() }
            guard reply.isPositiveCompletion || reply.isTransientFailure || reply.isPermanentFailure else {
                return protocolError("unexpected reply to the end of data")
            }
            // RFC 5321 §4.1.1.4: the reply to "." is for every recipient accepted at RCPT.
            let outcome = SMTPRecipientOutcome(classifying: reply)
            for index in acceptedAtRCPT { finish(index, outcome, fromServer: true) }
            return endTransaction()
        case .quit:
            return []
        }
    }

    private mutating func afterHello() -> [SMTPClientAction] {
        if !isTLS, configuration.tlsPolicy != .none, capabilities.startTLS {
            waitState = .startTLS
            return [.send(Self.line("STARTTLS"))]
        }
        if !isTLS, configuration.tlsPolicy == .required {
            return failAllAndQuit(
                .temporaryFailure(SMTPReply(450, .init(4, 7, 4), "TLS is required, but was not offered by the server")),
                fromServer: false)
        }
        if configuration.credentials != nil { return startAuth() }
        return startTransaction()
    }

    private mutating func startTransaction() -> [SMTPClientAction] {
        if !reversePathValid {
            return failAllAndEnd(
                .permanentFailure(SMTPReply(501, .init(5, 1, 7), "Invalid sender address syntax")), fromServer: false)
        }
        // RFC 6152 §3: 8-bit content may only go to a server offering 8BITMIME; Posta does not
        // convert to 7 bit, so the message is refused without being sent.
        if envelope.body8bit, !capabilities.eightBitMIME {
            return failAllAndEnd(
                .permanentFailure(
                    SMTPReply(554, .init(5, 6, 3), "Message has 8-bit content but the server does not offer 8BITMIME")),
                fromServer: false)
        }
        // RFC 6531 §3.2: an SMTPUTF8 message may not be sent to a server without the extension.
        if envelope.smtpUTF8, !capabilities.smtpUTF8 {
            return failAllAndEnd(
                .permanentFailure(
                    SMTPReply(553, .init(5, 6, 7), "Message needs SMTPUTF8 but the server does not offer it")),
                fromServer: false)
        }
        // RFC 8689 §5: a REQUIRETLS message goes only over TLS to a server offering REQUIRETLS.
        if envelope.requireTLS, !isTLS || !capabilities.requireTLS {
            return failAllAndEnd(
                .permanentFailure(
                    SMTPReply(
                        550, .init(5, 7, 10),
                        isTLS ? "REQUIRETLS: the server does not offer REQUIRETLS" : "REQUIRETLS: the connection is not TLS")),
                fromServer: false)
        }
        // RFC 1870 §6: do not send a message larger than the announced fixed maximum.
        if let limit = capabilities.sizeLimit, envelope.size > limit {
            return failAllAndEnd(
                .permanentFailure(
                    SMTPReply(552, .init(5, 3, 4), "Message size \(envelope.size) exceeds the server's limit \(limit)")),
                fromServer: false)
        }
        let targets = results.indices.filter { results[$0] == nil }
        guard !targets.isEmpty else { return endTransaction() }
        pipelined = capabilities.pipelining
        waitState = .mail
        if pipelined {
            // RFC 2920 §3.1: MAIL, every RCPT and DATA in one group; DATA ends the group.
            var batch = mailCommand()
            for index in targets { batch += rcptCommand(index) }
            batch += Self.line("DATA")
            pending = [.mail] + targets.map { .rcpt($0) } + [.data]
            return [.send(batch)]
        }
        pending = [.mail]
        return [.send(mailCommand())]
    }

    private mutating func transactionReply(_ reply: SMTPReply) -> [SMTPClientAction] {
        guard !pending.isEmpty else { return protocolError("unexpected reply") }
        let expected = pending.removeFirst()
        defer { if waitState != nil, waitState != .quit, let next = pending.first { waitState = Self.state(next) } }
        switch expected {
        case .mail:
            if reply.isPositiveCompletion {
                mailAccepted = true
                if !pipelined { return nextRecipientOrData(after: nil) }
                return []
            }
            guard reply.isTransientFailure || reply.isPermanentFailure else { return protocolError("unexpected MAIL reply") }
            // RFC 5321 §4.1.1.2: the transaction is refused for every recipient.
            let outcome = SMTPRecipientOutcome(classifying: reply)
            for index in results.indices where results[index] == nil { finish(index, outcome, fromServer: true) }
            if !pipelined { return endTransaction() }
            return []  // the RCPT and DATA replies are still due
        case .rcpt(let index):
            guard reply.isPositiveCompletion || reply.isTransientFailure || reply.isPermanentFailure else {
                return protocolError("unexpected RCPT reply")
            }
            if mailAccepted {
                if reply.isPositiveCompletion {
                    acceptedAtRCPT.append(index)
                } else {
                    finish(index, SMTPRecipientOutcome(classifying: reply), fromServer: true)
                }
            }
            if !pipelined { return nextRecipientOrData(after: index) }
            return []
        case .data:
            if reply.code == 354 {
                guard mailAccepted, !acceptedAtRCPT.isEmpty else {
                    // RFC 5321 §3.3: data may not be sent; only "." ends the data phase the server
                    // opened, so send an empty message no recipient will get.
                    abandoningData = true
                    waitState = .dataTermination
                    return [.send(Self.line("."))]
                }
                waitState = .dataTermination
                return [.sendMessageData]
            }
            guard reply.isTransientFailure || reply.isPermanentFailure else { return protocolError("unexpected DATA reply") }
            let outcome = SMTPRecipientOutcome(classifying: reply)
            for index in acceptedAtRCPT { finish(index, outcome, fromServer: true) }
            return endTransaction()
        }
    }

    /// Without PIPELINING: the next RCPT, or DATA once every recipient has been tried.
    private mutating func nextRecipientOrData(after index: Int?) -> [SMTPClientAction] {
        let start = index.map { $0 + 1 } ?? 0
        if let next = results.indices.dropFirst(start).first(where: { results[$0] == nil }) {
            pending = [.rcpt(next)]
            waitState = .rcpt
            return [.send(rcptCommand(next))]
        }
        guard !acceptedAtRCPT.isEmpty else { return endTransaction() }
        pending = [.data]
        waitState = .data
        return [.send(Self.line("DATA"))]
    }

    // MARK: - AUTH (RFC 4954)

    /// Logs in with PLAIN (RFC 4616, as initial response) or else LOGIN, only over TLS.
    private mutating func startAuth() -> [SMTPClientAction] {
        guard let credentials = configuration.credentials, isTLS else {
            return failAllAndQuit(
                .temporaryFailure(SMTPReply(454, .init(4, 7, 0), "Credentials are only sent over TLS")), fromServer: false)
        }
        let offered = capabilities.authMechanisms
        waitState = .auth
        if offered.contains("PLAIN") {
            loginStep = 2
            let response = SASLBase64.encode(SASLPlain.message(user: credentials.user, password: credentials.password))
            return [.send(Self.line("AUTH PLAIN \(response)"))]
        }
        if offered.contains("LOGIN") {
            loginStep = 0
            return [.send(Self.line("AUTH LOGIN"))]
        }
        return failAllAndQuit(
            .temporaryFailure(SMTPReply(454, .init(4, 7, 0), "The server offers neither AUTH PLAIN nor LOGIN")),
            fromServer: false)
    }

    /// 235 logs in; 334 asks for the next LOGIN value; anything else is a refusal, deferred
    /// rather than bounced (wrong relay credentials are the sender's site's problem).
    private mutating func authReply(_ reply: SMTPReply) -> [SMTPClientAction] {
        if reply.code == 235 { return startTransaction() }
        if reply.code == 334, loginStep < 2, let credentials = configuration.credentials {
            let value = loginStep == 0 ? credentials.user : credentials.password
            loginStep += 1
            return [.send(Self.line(SASLBase64.encode(value)))]
        }
        let text = "Authentication failed: \(reply.code) \(reply.lines.joined(separator: " "))"
        return failAllAndQuit(.temporaryFailure(SMTPReply(454, .init(4, 7, 0), text)), fromServer: false)
    }

    // MARK: - Commands

    /// `MAIL FROM:<path>` with the RFC 1870 §6, RFC 6152 §2, RFC 6531 §3.4 and RFC 3461 §4.3–4.4
    /// parameters the server supports.
    private func mailCommand() -> [UInt8] {
        var command = "MAIL FROM:<\(envelope.reversePath)>"
        if capabilities.size { command += " SIZE=\(max(0, envelope.size))" }
        if envelope.body8bit, capabilities.eightBitMIME { command += " BODY=8BITMIME" }
        if envelope.smtpUTF8 { command += " SMTPUTF8" }
        if envelope.requireTLS { command += " REQUIRETLS" }  // RFC 8689 §4.1
        if capabilities.dsn {
            // RFC 3461 §5: only to a server that announced DSN.
            if let ret = envelope.dsnRet { command += " RET=\(ret.rawValue)" }
            if let envid = envelope.dsnEnvID, !envid.isEmpty { command += " ENVID=\(XText.encode(envid))" }
        }
        return Self.line(command)
    }

    /// `RCPT TO:<path>` with NOTIFY and ORCPT (RFC 3461 §4.1–4.2) when DSN is offered.
    private func rcptCommand(_ index: Int) -> [UInt8] {
        let recipient = envelope.recipients[index]
        var command = "RCPT TO:<\(recipient.address)>"
        if capabilities.dsn {
            if let notify = recipient.notify { command += " NOTIFY=\(notify.text)" }
            if let orcpt = recipient.orcpt, let encoded = Self.encodeORCPT(orcpt) { command += " ORCPT=\(encoded)" }
        }
        return Self.line(command)
    }

    // MARK: - Outcomes

    private mutating func finish(_ index: Int, _ outcome: SMTPRecipientOutcome, fromServer: Bool) {
        guard results[index] == nil else { return }
        results[index] = SMTPRecipientResult(
            recipient: envelope.recipients[index], outcome: outcome, fromServer: fromServer)
    }

    private mutating func failAllAndQuit(_ outcome: SMTPRecipientOutcome, fromServer: Bool) -> [SMTPClientAction] {
        for index in results.indices { finish(index, outcome, fromServer: fromServer) }
        return quit()
    }

    /// Refuses every recipient without talking to the server, ending only the transaction.
    private mutating func failAllAndEnd(_ outcome: SMTPRecipientOutcome, fromServer: Bool) -> [SMTPClientAction] {
        for index in results.indices { finish(index, outcome, fromServer: fromServer) }
        return endTransaction()
    }

    /// The transaction is over: report it and either wait `.idle` for the next one or QUIT.
    private mutating func endTransaction() -> [SMTPClientAction] {
        guard configuration.keepsConnection else { return quit() }
        pending = []
        waitState = .idle
        return finishedAction(fallback: SMTPReply(451, .init(4, 3, 0), "Transaction did not complete"))
    }

    /// Sends QUIT (RFC 5321 §4.1.1.10) and reports the result; the QUIT reply then closes.
    private mutating func quit() -> [SMTPClientAction] {
        pending = []
        waitState = .quit
        return [.send(Self.line("QUIT"))]
            + finishedAction(fallback: SMTPReply(451, .init(4, 3, 0), "Transaction did not complete"))
    }

    /// A connection-level failure: every recipient without an outcome fails temporarily.
    private mutating func connectionFailure(_ reply: SMTPReply, fromServer: Bool) -> [SMTPClientAction] {
        for index in results.indices { finish(index, .temporaryFailure(reply), fromServer: fromServer) }
        pending = []
        waitState = nil
        return finishedAction(fallback: reply) + [.close]
    }

    private mutating func protocolError(_ detail: String) -> [SMTPClientAction] {
        connectionFailure(SMTPReply(421, .init(4, 5, 0), "SMTP protocol error: \(detail)"), fromServer: false)
    }

    private mutating func finishedAction(fallback: SMTPReply) -> [SMTPClientAction] {
        guard !finishedSent else { return [] }
        finishedSent = true
        for index in results.indices { finish(index, .temporaryFailure(fallback), fromServer: false) }
        return [.finished(result)]
    }

    // MARK: - Helpers

    private static func state(_ expected: Expected) -> SMTPClientWaitState {
        switch expected {
        case .mail: .mail
        case .rcpt: .rcpt
        case .data: .data
        }
    }

    private static func line(_ text: String) -> [UInt8] { Array(text.utf8) + [13, 10] }

    /// No controls, no angle brackets: the path cannot break out of `<…>` or the command line.
    static func isSafePath(_ path: String) -> Bool {
        !path.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
    }

    /// RFC 3461 §4.2: `addr-type ";" xtext`; nil (not sent) for a type that is not an atom.
    static func encodeORCPT(_ orcpt: DSNOriginalRecipient) -> String? {
        let type = orcpt.addressType
        let address = orcpt.address
        guard !type.isEmpty, !address.isEmpty,
            type.utf8.allSatisfy({
                $0 < 0x80
                    && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber
                        || $0 == UInt8(ascii: "-"))
            })
        else { return nil }
        return type + ";" + XText.encode(address)
    }
}
