import Core
import Logging
import Queue

extension SMTPReceiver {
    /// End of data: quota check, durable queueing (only then 250), and for LMTP immediate local
    /// delivery with one reply per recipient (RFC 2033 §4.2). `message.policy` is what the policy
    /// engine decided for the message at RCPT.
    public func complete(_ message: SMTPMessage, logger: Logger) async -> SMTPEffectResult {
        let envelope = message.envelope
        let perRecipient = Self.oncePerDestination(message.deliveries)
        let temporaryFailure = SMTPReply(451, .init(4, 3, 0), "Temporary failure storing the message, try again later")
        try? message.spool?.finish()
        guard let spooled = message.spool, !spooled.failed else {
            message.spool?.discard()
            return result(repeating: temporaryFailure, count: perRecipient.count)
        }
        var spool = (id: spooled.id, file: spooled.file)
        let size = spool.file.bytesWritten
        var policy = message.policy
        if let answer = await policyAnswer(envelope: envelope, spool: spool, decided: &policy) { return answer }
        do {
            if mode == .submission,
                let refusal = try await checkFromHeader(file: spool.file.path, user: envelope.authenticatedUser)
            {
                spool.file.discard()
                return .reply(refusal)
            }
            if reinjection {
                switch try await checkRelayTickets(envelope: envelope, spool: spool, deliveries: perRecipient.flatMap { $0 }) {
                case .refused(let reply):
                    spool.file.discard()
                    return .reply(reply)
                case .accepted(let checked): spool = checked
                }
            }
            // RFC 1870 §6 / RFC 3463 X.2.2: refuse at end of data when no local mailbox can take it.
            if mode == .mx, try await allOverQuota(perRecipient.flatMap { $0 }, adding: size) {
                spool.file.discard()
                return .reply(SMTPReply(552, .init(5, 2, 2), "Mailbox full, quota exceeded"))
            }
            // RFC 9989 §5.3.4: sender authentication before the filters; a DMARC reject refuses
            // the message here, at the end of data. Re-injected mail was authenticated on its way in.
            var verdict: ReceivedMailVerdict?
            if mode == .mx, !reinjection, let senderAuthentication {
                verdict = await senderAuthentication.authenticate(
                    envelope: envelope, messageFile: spool.file.path, logger: logger)
                if case .reject(let reply)? = verdict?.action {
                    logger.notice("message refused by DMARC", metadata: ["id": "\(spool.id)", "reply": "\(reply)"])
                    spool.file.discard()
                    return .reply(reply)
                }
            }
            // One Authentication-Results field of this host: sender authentication's holds SPF too.
            let policyHeaders = policy.headerBlock(droppingResultsOf: verdict?.headers.isEmpty == false ? hostname : nil)
            let queued = QueuedEnvelope(
                reversePath: envelope.reversePath, dsnRet: envelope.dsnRet, dsnEnvID: envelope.dsnEnvID,
                body: envelope.body, smtpUTF8: envelope.smtpUTF8, clientIP: envelope.clientIP,
                helo: envelope.heloName, requireTLS: envelope.requireTLS)
            var deliveries: [QueuedDelivery]
            var headers: String?
            switch try await applyFilters(
                envelope: envelope, spool: spool, queued: queued, deliveries: perRecipient.flatMap { $0 },
                recipients: perRecipient.count, headers: Self.joined(verdict?.headers, policyHeaders), logger: logger)
            {
            case .finished(let answer): return answer
            case .queue(let filtered, let added): (deliveries, headers) = (filtered, added)
            }
            if verdict?.action == .junk { deliveries = Self.intoJunk(deliveries) }
            // The signature covers the message as filtered; the fields added above it are not signed.
            if mode == .submission, let signer,
                let signature = await signatureFields(messageFile: spool.file.path, signer: signer, logger: logger)
            {
                headers = signature + (headers ?? "")
            }
            let rowIDs = try await queue.commit(
                id: spool.id, file: spool.file, envelope: queued, deliveries: deliveries, deliverNow: mode == .lmtp,
                held: policy.hold, headers: headers)
            if policy.hold { logger.notice("message held by policy", metadata: ["queue_id": "\(spool.id)"]) }
            countAccepted(envelope, size: size)
            if mode == .submission, let submissionWatch, let user = envelope.authenticatedUser {
                await submissionWatch.accepted(
                    user: user, clientIP: envelope.clientIP, queueID: spool.id,
                    recipients: envelope.recipients.map(\.address.description), logger: logger)
            }
            guard mode == .lmtp else {
                return .reply(SMTPReply(250, .init(2, 0, 0), "Ok: queued as \(spool.id)"))
            }
            let outcomes = try await runner.deliverNow(messageID: spool.id)
            var replies: [SMTPReply] = []
            var index = 0
            for (recipient, deliveries) in zip(envelope.recipients, perRecipient) {
                let rows = rowIDs[index..<index + deliveries.count]
                index += deliveries.count
                replies.append(
                    lmtpReply(recipient: recipient.address.description, outcomes: rows.compactMap { outcomes[$0] }, id: spool.id))
            }
            return .replies(replies)
        } catch {
            logger.error("cannot queue message", metadata: ["error": "\(String(reflecting: error))"])
            spool.file.discard()
            return result(repeating: temporaryFailure, count: perRecipient.count)
        }
    }

    /// Header blocks one above the other; nil when there is none.
    static func joined(_ blocks: String?...) -> String? {
        let joined = blocks.compactMap { $0 }.joined()
        return joined.isEmpty ? nil : joined
    }

    /// The same deliveries, the local ones into the Junk folder.
    static func intoJunk(_ deliveries: [QueuedDelivery]) -> [QueuedDelivery] {
        deliveries.map { delivery in
            var delivery = delivery
            if delivery.kind == .local { delivery.mailbox = "Junk" }
            return delivery
        }
    }

    /// One copy per mailbox and per external address, whichever recipients and aliases lead
    /// there (the first recipient that reaches it owns the delivery).
    static func oncePerDestination(_ deliveries: [[QueuedDelivery]]) -> [[QueuedDelivery]] {
        var seen = Set<String>()
        return deliveries.map { list in
            list.filter { delivery in
                let key = delivery.accountID.map { "account:\($0)" } ?? "address:\(delivery.target.lowercased())"
                return seen.insert(key).inserted
            }
        }
    }

    func result(repeating reply: SMTPReply, count: Int) -> SMTPEffectResult {
        mode == .lmtp ? .replies(Array(repeating: reply, count: count)) : .reply(reply)
    }

    /// One recipient's LMTP reply: delivered (or still queued: we keep responsibility) → 250;
    /// every delivery failed → the failure.
    private func lmtpReply(recipient: String, outcomes: [DeliveryOutcome], id: String) -> SMTPReply {
        let failures = outcomes.compactMap { outcome -> DeliveryReply? in
            if case .failed(let reply) = outcome { return reply }
            return nil
        }
        if !outcomes.isEmpty, failures.count == outcomes.count, let reply = failures.first {
            return SMTPReply(lmtpFailure: reply, recipient: recipient)
        }
        return SMTPReply(250, .init(2, 0, 0), "<\(recipient)> Ok: \(id)")
    }

    private func allOverQuota(_ deliveries: [QueuedDelivery], adding size: Int64) async throws -> Bool {
        let local = deliveries.filter { $0.kind == .local }
        guard !local.isEmpty, local.count == deliveries.count else { return false }
        for delivery in local {
            guard let id = delivery.accountID, let room = try await quotaRoom(accountID: id) else { return false }
            if size <= room { return false }
        }
        return true
    }
}

extension SMTPReply {
    /// The LMTP reply for a recipient whose deliveries all failed (RFC 2033 §4.2): the failure as
    /// it was, or a 550 quoting it when it lacks an enhanced status (RFC 2034: every reply has one).
    init(lmtpFailure reply: DeliveryReply, recipient: String) {
        if let status = reply.enhancedStatus, (200...599).contains(reply.code), !reply.text.isEmpty {
            self.init(reply.code, status, reply.text)
        } else {
            self.init(550, .init(5, 0, 0), "<\(recipient)>: \(reply)")
        }
    }
}
