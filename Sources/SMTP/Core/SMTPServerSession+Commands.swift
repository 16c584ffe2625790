import Core

/// The command handlers of `SMTPServerSession`.
extension SMTPServerSession {
    private var helloVerb: String { configuration.mode == .lmtp ? "LHLO" : "EHLO/HELO" }

    mutating func handleLine(_ line: [UInt8], _ out: inout [SMTPServerAction]) {
        guard countCommand(&out) else { return }
        switch parser.parse(line) {
        case .failure(.crossProtocol):
            closeWith(SMTPSyntaxError.crossProtocol.reply, &out)
        case .failure(let syntaxError):
            error(syntaxError.reply, &out)
        case .success(let command):
            handle(command, &out)
        }
    }

    mutating func handle(_ command: SMTPCommand, _ out: inout [SMTPServerAction]) {
        switch command {
        case .helo(let name):
            hello(.helo(name), &out)
        case .ehlo(let name):
            hello(.ehlo(name), &out)
        case .lhlo(let name):
            hello(.lhlo(name), &out)
        case .mail(let mail):
            mailFrom(mail, &out)
        case .rcpt(let rcpt):
            rcptTo(rcpt.recipient, &out)
        case .data:
            data(&out)
        case .bdat(let size, let last):
            bdat(size: size, last: last, &out)
        case .rset:
            // RFC 5321 §4.1.1.5
            resetTransaction(&out)
            send(SMTPServerReplies.ok(), &out)
        case .noop:
            send(SMTPServerReplies.ok(), &out)
        case .quit:
            // RFC 5321 §4.1.1.10
            resetTransaction(&out)
            out.append(.reply(SMTPServerReplies.bye))
            out.append(.close)
            phase = .closed
        case .vrfy:
            // RFC 5321 §3.5.3: 252 when the server will not verify but will accept.
            send(SMTPServerReplies.cannotVerify, &out)
        case .expn:
            send(SMTPServerReplies.expnNotSupported, &out)
        case .help:
            send(SMTPServerReplies.help(configuration.mode), &out)
        case .startTLS:
            startTLS(&out)
        case .auth(let mechanism, let initialResponse):
            auth(mechanism: mechanism, initialResponse: initialResponse, &out)
        }
    }

    /// HELO/EHLO (RFC 5321 §4.1.1.1) or LHLO (RFC 2033 §4.1). Either resets the transaction.
    private mutating func hello(_ kind: Greeting, _ out: inout [SMTPServerAction]) {
        switch (configuration.mode, kind) {
        case (.smtp, .lhlo):
            return error(SMTPSyntaxError.unknownCommand.reply, &out)
        case (.lmtp, .helo), (.lmtp, .ehlo):
            // RFC 2033 §4.1: an LMTP server does not accept HELO or EHLO.
            return error(SMTPReply(500, .init(5, 5, 1), "This is LMTP: use LHLO"), &out)
        default:
            break
        }
        resetTransaction(&out)
        greeting = kind
        let hostname = configuration.hostname
        if case .helo = kind {
            // RFC 5321 §4.1.1.1; no enhanced status code, none were negotiated.
            return send(SMTPReply(250, nil, hostname), &out)
        }
        var lines = ["\(hostname) Hello [\(client.remoteIP)]"]
        lines.append("PIPELINING")  // RFC 2920
        lines.append("SIZE \(configuration.maxMessageSize)")  // RFC 1870
        lines.append("8BITMIME")  // RFC 6152
        lines.append("ENHANCEDSTATUSCODES")  // RFC 2034
        if configuration.startTLSAvailable && !client.isTLS { lines.append("STARTTLS") }  // RFC 3207
        if authOffered {
            // RFC 4954 §3; only under TLS unless configured otherwise (RFC 4954 §4, RFC 8314 §3.3).
            lines.append((["AUTH"] + SMTPServerSession.supportedMechanisms(configuration)).joined(separator: " "))
        }
        if configuration.advertiseSMTPUTF8 { lines.append("SMTPUTF8") }  // RFC 6531
        // RFC 8689 §4: only where the promise can be kept, over TLS (after STARTTLS or implicit TLS).
        if configuration.mode == .smtp && client.isTLS { lines.append("REQUIRETLS") }
        lines.append("CHUNKING")  // RFC 3030
        lines.append("BINARYMIME")  // RFC 3030
        lines.append("DSN")  // RFC 3461
        send(SMTPReply(code: 250, enhancedStatus: nil, lines: lines), &out)
    }

    /// MAIL (RFC 5321 §4.1.1.2).
    private mutating func mailFrom(_ mail: SMTPMailCommand, _ out: inout [SMTPServerAction]) {
        guard greeting != nil else { return error(SMTPServerReplies.badSequence("Send \(helloVerb) first"), &out) }
        guard transaction == nil else { return error(SMTPServerReplies.badSequence("Nested MAIL command"), &out) }
        if configuration.requireAuthForMail && authenticatedUser == nil {
            // RFC 6409 §4.3 (submission needs authentication), RFC 4954 §6: 530 5.7.0.
            return error(SMTPServerReplies.authRequired, &out)
        }
        if let size = mail.size, size > configuration.maxMessageSize {
            // RFC 1870 §6.2
            return send(SMTPServerReplies.messageTooBig, &out)
        }
        if let path = mail.reversePath, path.needsSMTPUTF8, !mail.smtpUTF8 {
            return error(SMTPServerReplies.needsSMTPUTF8, &out)
        }
        if mail.requireTLS && !client.isTLS {
            // RFC 8689 §4.1: REQUIRETLS only over TLS (it is not even advertised without).
            return error(SMTPServerReplies.requireTLSWithoutTLS, &out)
        }
        request(.checkSender(makeEnvelope(newTransaction(mail))), .sender(mail), &out)
    }

    /// RCPT (RFC 5321 §4.1.1.3).
    private mutating func rcptTo(_ recipient: SMTPRecipient, _ out: inout [SMTPServerAction]) {
        guard let transaction else { return error(SMTPServerReplies.badSequence("Need MAIL command"), &out) }
        guard body == nil else { return error(SMTPServerReplies.badSequence("BDAT transfer in progress"), &out) }
        if recipient.address.needsSMTPUTF8 && !transaction.mail.smtpUTF8 {
            return error(SMTPServerReplies.needsSMTPUTF8, &out)
        }
        guard transaction.recipients.count < configuration.maxRecipients else {
            return send(SMTPServerReplies.tooManyRecipients, &out)
        }
        let request = SMTPRecipientRequest(recipient: recipient, envelope: makeEnvelope(transaction))
        self.request(.checkRecipient(request), .recipient(recipient), &out)
    }

    /// Why the transaction cannot take content now, if it cannot (shared by DATA and BDAT).
    private func contentRefusal() -> (reply: SMTPReply, isError: Bool)? {
        guard let transaction else { return (SMTPServerReplies.badSequence("Need MAIL command"), true) }
        if transaction.recipients.isEmpty {
            // RFC 5321 §3.3: 554 when every RCPT was refused; RFC 2033 §4.2 wants 503 for LMTP.
            if configuration.mode == .smtp && transaction.refusedRecipients > 0 {
                return (SMTPServerReplies.noValidRecipients, false)
            }
            return (SMTPServerReplies.badSequence("Need RCPT command"), true)
        }
        return nil
    }

    /// DATA (RFC 5321 §4.1.1.4).
    private mutating func data(_ out: inout [SMTPServerAction]) {
        if let refusal = contentRefusal() {
            return refusal.isError ? error(refusal.reply, &out) : send(refusal.reply, &out)
        }
        guard body == nil else {
            // RFC 3030 §2: DATA may not follow BDAT in a transaction.
            return error(SMTPServerReplies.badSequence("DATA cannot follow BDAT"), &out)
        }
        guard transaction?.mail.body != .binaryMIME else {
            // RFC 3030 §3: BODY=BINARYMIME content must be sent with BDAT.
            return error(SMTPServerReplies.badSequence("BINARYMIME requires BDAT"), &out)
        }
        send(SMTPServerReplies.startData, &out)
        body = newBody()
        phase = .data(SMTPDotDecoder())
    }

    /// BDAT (RFC 3030 §2). A refused chunk's octets are still read and dropped, so the command
    /// stream stays in step.
    private mutating func bdat(size: Int64, last: Bool, _ out: inout [SMTPServerAction]) {
        if let refusal = contentRefusal() {
            if refusal.isError { error(refusal.reply, &out) } else { send(refusal.reply, &out) }
            if !isClosed { phase = .discard(remaining: size) }
            return
        }
        let received = body?.size ?? 0
        if size > configuration.maxMessageSize - received {
            // RFC 3030 §2 / RFC 1870: refuse, end the transaction, skip the chunk.
            resetTransaction(&out)
            send(SMTPServerReplies.messageTooBig, &out)
            phase = .discard(remaining: size)
            return
        }
        if body == nil { body = newBody() }
        phase = .bdat(remaining: size, size: size, last: last)
    }

    /// STARTTLS (RFC 3207 §4).
    private mutating func startTLS(_ out: inout [SMTPServerAction]) {
        guard configuration.startTLSAvailable else { return error(SMTPServerReplies.startTLSUnavailable, &out) }
        guard !client.isTLS else { return error(SMTPServerReplies.badSequence("TLS already active"), &out) }
        guard greeting != nil else { return error(SMTPServerReplies.badSequence("Send \(helloVerb) first"), &out) }
        guard transaction == nil else { return error(SMTPServerReplies.badSequence("Mail transaction in progress"), &out) }
        out.append(.reply(SMTPServerReplies.readyForTLS))
        out.append(.startTLS)
        // Anything pipelined after STARTTLS arrived in plaintext and must never be taken as a
        // command sent under TLS (CVE-2011-0411 and relatives): drop it, and all input until the
        // handshake is done.
        input.removeAll()
        phase = .awaitingTLS
    }

    private func newBody() -> SMTPBodyAccumulator {
        SMTPBodyAccumulator(
            maxSize: configuration.maxMessageSize, maxReceived: configuration.maxReceivedHeaders,
            chunkSize: configuration.bodyChunkSize)
    }
}
