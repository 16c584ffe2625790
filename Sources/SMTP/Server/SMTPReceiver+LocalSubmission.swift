import Core
import Logging

/// A message submitted in-process by webmail on behalf of a logged-in account: what an SMTP AUTH
/// client would send on port 587 as `MAIL FROM`, `RCPT TO` and the content (RFC 6409).
public struct LocalSubmission: Sendable {
    /// The authenticated account's address (as SMTP AUTH would give it, RFC 4954).
    public var user: String
    /// The browser's address, for `Received:`, the policy, the logs and containment.
    public var clientIP: String
    /// The envelope sender (`MAIL FROM`, without angle brackets; empty is the null path `<>`).
    public var reversePath: String
    /// The envelope recipients (`RCPT TO`, without angle brackets), in order.
    public var recipients: [String]
    /// The RFC 5322 message with CRLF line ends and no `Bcc:` field (RFC 5322 §3.6.3).
    public var message: [UInt8]

    public init(user: String, clientIP: String, reversePath: String, recipients: [String], message: [UInt8]) {
        self.user = user
        self.clientIP = clientIP
        self.reversePath = reversePath
        self.recipients = recipients
        self.message = message
    }
}

/// The outcome of a local submission: queued, or refused with the reply an SMTP client would have got.
public enum LocalSubmissionResult: Sendable, Equatable {
    /// Queued (the `250 2.0.0 Ok: queued as …` of the end of data).
    case accepted(queueID: String)
    /// The first refusal; `recipient` names the refused recipient, nil when the whole message was
    /// refused (sender, content, policy at the end of data, filters, a temporary failure).
    case refused(SMTPReply, recipient: String?)
}

/// Webmail sends through the same pipeline as port 587: the steps an SMTP session with AUTH asks of
/// the receiver, in its order, with the values it would build (`SMTPServerSession.Transaction`):
///
/// 1. `MAIL FROM`: the path's syntax (`SMTPPathParser`), then `checkSender` (disabled account,
///    containment, sender ownership);
/// 2. `RCPT TO`, each in turn: syntax, the listener's recipient limit, then `recipient(_:)` (the
///    directory, then policy). All or nothing: the first refused recipient refuses the whole
///    submission, before any content is spooled;
/// 3. the content, as one `BDAT … LAST` (RFC 3030): the spool file with its `Received:` field
///    (`openSpool`), written through `SMTPBodyAccumulator` with the listener's size and hop limits;
/// 4. the end of data, `complete(_:logger:)`: policy, `From:` ownership, filters, DKIM signing,
///    the durable queue commit (fsync before the answer), containment's record, the day's counts.
///
/// Nothing is half-sent: a refusal before step 4 discards the spool file, and `complete` discards it
/// on every refusal of its own. Replies are counted (metrics, the day's refusals) as the SMTP
/// adapter counts what it sends.
///
/// The `Received:` field reads `from webmail ([clientIP]) by <hostname> (Posta) with HTTPS id …`:
/// RFC 5321 §4.4 allows any atom as the `with` protocol; `ESMTPA` and its kin (RFC 3848) would say
/// the message came over SMTP with AUTH, which it did not. There is no TLS clause: the HTTPS
/// connection is not the receiver's to describe.
extension SMTPReceiver {
    /// The `from` name of a webmail submission's `Received:` field (and the envelope's HELO name).
    public static let localSubmissionHelo = "webmail"
    /// The `with` keyword of a webmail submission's `Received:` field (RFC 5321 §4.4).
    public static let localSubmissionProtocol = "HTTPS"

    /// The size limit a submission listener announces (SIZE, RFC 1870), so webmail can refuse before
    /// sending: `limits.max_message_size`, counted as the SMTP session counts (the message's octets,
    /// without the `Received:` field added here).
    public static func localSubmissionSizeLimit(_ limits: Limits) -> Int64 {
        localSubmissionConfiguration(limits).maxMessageSize
    }

    /// The session limits a submission listener applies for `limits` (size, recipients, hops).
    static func localSubmissionConfiguration(_ limits: Limits) -> SMTPServerConfiguration {
        SMTPServerConfiguration(
            hostname: "", maxMessageSize: limits.maxMessageSize.bytes, maxRecipients: limits.maxRecipients)
    }

    /// Submits `submission` as an authenticated submission session would (see above). Only on a
    /// receiver whose `mode` is `.submission`; any other answers `554 5.3.5`.
    public func submitLocally(_ submission: LocalSubmission, limits: Limits, logger: Logger) async -> LocalSubmissionResult {
        guard mode == .submission else {
            // RFC 3463 §3.4: X.3.5 System incorrectly configured.
            return .refused(SMTPReply(554, .init(5, 3, 5), "Local submission needs a submission receiver"), recipient: nil)
        }
        let configuration = Self.localSubmissionConfiguration(limits)
        let client = SMTPClientInfo(remoteIP: submission.clientIP)
        let refuse = { (reply: SMTPReply, recipient: String?) -> LocalSubmissionResult in
            count(reply, client: submission.clientIP)
            logger.info(
                "local submission refused",
                metadata: ["user": "\(submission.user)", "reply": "\(reply.code) \(reply.lines.first ?? "")"])
            return .refused(reply, recipient: recipient)
        }

        // MAIL FROM (RFC 5321 §4.1.1.2).
        let reversePath: MailAddress?
        do {
            reversePath = try SMTPPathParser.reversePath(Substring(submission.reversePath))
        } catch {
            return refuse(error.reply, nil)
        }
        var transaction = SMTPServerSession.Transaction(
            mail: Self.localMailCommand(reversePath, submission), heloName: Self.localSubmissionHelo,
            protocolName: Self.localSubmissionProtocol)
        func envelope(_ body: SMTPBodyAccumulator?) -> SMTPEnvelope {
            transaction.envelope(
                heloName: Self.localSubmissionHelo, protocolName: Self.localSubmissionProtocol, client: client, body: body,
                authenticatedUser: submission.user)
        }
        let sender = await checkSender(envelope(nil))
        guard sender.isPositiveCompletion else { return refuse(sender, nil) }
        count(sender, client: submission.clientIP)

        // RCPT TO (RFC 5321 §4.1.1.3), all or nothing.
        for text in submission.recipients {
            let address: MailAddress
            do {
                address = try SMTPPathParser.forwardPath(Substring(text), postmasterDomain: hostname)
            } catch {
                return refuse(error.reply, text)
            }
            guard transaction.recipients.count < configuration.maxRecipients else {
                return refuse(SMTPServerReplies.tooManyRecipients, text)
            }
            let recipient = SMTPRecipient(address: address)
            let result = await self.recipient(SMTPRecipientRequest(recipient: recipient, envelope: envelope(nil)))
            switch result {
            case .recipientAccepted(let reply, let route) where reply.isPositiveCompletion:
                count(reply, client: submission.clientIP)
                transaction.accept(recipient, route: route)
            case .reply(let reply) where reply.isPositiveCompletion:
                count(reply, client: submission.clientIP)
                transaction.accept(recipient, route: SMTPRecipientRoute())
            case .reply(let reply), .recipientAccepted(let reply, _):
                return refuse(reply, text)
            case .replies, .authenticated, .spoolOpened:
                return refuse(SMTPServerReplies.internalError, text)
            }
        }
        guard !transaction.recipients.isEmpty else { return refuse(SMTPServerReplies.badSequence("Need RCPT command"), nil) }

        // The content (RFC 3030 §2, one last chunk): opened at its first octet, as the session does.
        let spool = submission.message.isEmpty ? nil : openSpool(transaction.trace(client: client), logger: logger)
        var body = SMTPBodyAccumulator(
            maxSize: configuration.maxMessageSize, maxReceived: configuration.maxReceivedHeaders,
            chunkSize: configuration.bodyChunkSize)
        Self.write(submission.message, through: &body, to: spool, logger: logger)
        if let failure = body.failure {
            spool?.discard()
            return refuse(failure.reply, nil)
        }

        // The end of data.
        let result = await complete(transaction.message(envelope(body), spool: spool), logger: logger)
        SMTPMetrics.transaction(result, mode: mode)
        let reply: SMTPReply
        switch result {
        case .reply(let given), .recipientAccepted(let given, _): reply = given
        case .replies(let given): reply = given.first ?? SMTPServerReplies.internalError
        case .authenticated, .spoolOpened: reply = SMTPServerReplies.internalError
        }
        guard reply.isPositiveCompletion, let spool else { return refuse(reply, nil) }
        count(reply, client: submission.clientIP)
        logger.info("local submission queued", metadata: ["user": "\(submission.user)", "queue_id": "\(spool.id)"])
        return .accepted(queueID: spool.id)
    }

    /// The `MAIL` command an SMTP client would send for `submission`: `SMTPUTF8` when an address or
    /// the header section is not ASCII (RFC 6531 §3.4), `BODY=8BITMIME` when the content is not
    /// (RFC 6152). No `SIZE=`: the content's limit is applied as it is written.
    static func localMailCommand(_ reversePath: MailAddress?, _ submission: LocalSubmission) -> SMTPMailCommand {
        let message = submission.message
        let header = message.firstRange(of: Array("\r\n\r\n".utf8)).map { message[..<$0.lowerBound] } ?? message[...]
        let smtpUTF8 =
            ([submission.reversePath] + submission.recipients).contains { isNonASCII($0.utf8) } || isNonASCII(header)
        return SMTPMailCommand(reversePath: reversePath, body: isNonASCII(message) ? .eightBitMIME : nil, smtpUTF8: smtpUTF8)
    }

    private static func isNonASCII(_ bytes: some Sequence<UInt8>) -> Bool { bytes.contains { $0 >= 0x80 } }

    /// Feeds `message` to `body` in content-sized pieces, as the adapter reads BDAT content, and
    /// writes what it hands out to `spool` (a write failure is logged; the end of data then
    /// answers a temporary failure, as in a session).
    static func write(_ message: [UInt8], through body: inout SMTPBodyAccumulator, to spool: SMTPSpool?, logger: Logger) {
        var actions: [SMTPServerAction] = []
        var start = 0
        repeat {
            let end = min(message.count, start + body.chunkSize)
            body.append(message[start..<end], into: &actions)
            if end == message.count { body.flush(into: &actions) }
            for case .messageData(let bytes) in actions {
                do {
                    try spool?.write(bytes)
                } catch {
                    logger.error("spool write failed", metadata: ["error": "\(error)"])
                }
            }
            actions.removeAll(keepingCapacity: true)
            start = end
        } while start < message.count && body.failure == nil
    }
}
