import Core
import Foundation
import Logging
import MIME
import Queue

extension SieveDeliveryRules {
    /// Carries out the merged actions: a reject ends it (the sender gets a DSN); redirects and
    /// the vacation reply are queued (each once per delivery); what is left is filed. Whatever
    /// cannot go (a loop, a limit, the policy, spam that would be bounced) keeps the message
    /// instead: a rule never loses mail, and never makes Posta a source of backscatter.
    func carryOut(_ outcome: SieveOutcome, request: LocalDeliveryRequest, message: SieveMessage, original: [UInt8])
        async throws -> LocalDeliveryDecision
    {
        let meta: Logger.Metadata = ["id": "\(request.messageID)", "to": "\(request.address)"]
        let isSpam = SpamtestValue.isSpam(Array(request.prefix[..<request.traceLength]))
        if let reject = outcome.reject {
            // RFC 5429 §2.1: after the message was accepted, the refusal goes to the sender as a
            // DSN (RFC 3464) carrying the reason. Not for spam (its sender is forged: the DSN
            // would be backscatter), nor past the account's hourly limit or the policy.
            let reason = reject.reason.split(whereSeparator: \.isNewline).first.map(String.init) ?? "rejected"
            if !isSpam,
                await outbound.mayReject(
                    account: request.address, accountID: request.accountID, sender: request.reversePath,
                    key: "\(request.deliveryKey)/reject")
            {
                logger.info("sieve reject", metadata: meta)
                return .reject(DeliveryReply(550, .init(5, 7, 1), "rejected by the recipient's filter: \(reason.prefix(200))"))
            }
            logger.info("sieve reject not sent (spam, limit or policy): kept", metadata: meta)
            return .file([LocalFiling(mailbox: request.keepMailbox)], header: nil, bodyOffset: nil)
        }
        let end = max(request.traceLength, headerEnd(original))
        // The message's own header, without the fields Posta added for this delivery.
        let ownHeader = Array(original[request.traceLength..<end])
        var keepAnyway = false
        if !outcome.redirects.isEmpty {
            // The copy: a Delivered-To for this account (loop detection, RFC 5228 §4.2), then the
            // message as it came, without Posta's Return-Path and filter verdicts.
            let whole =
                Array("Delivered-To: \(request.address)\r\n".utf8) + request.prefix[request.traceLength...]
                + (try await SpoolReader.read(path: request.spoolFile, from: request.offset, maximum: nil))
            for (index, address) in outcome.redirects.enumerated() {
                do {
                    try await outbound.redirect(
                        whole, originalHeader: ownHeader, to: address, reversePath: request.reversePath,
                        account: request.address, accountID: request.accountID,
                        key: "\(request.deliveryKey)/redirect/\(index)/\(address.lowercased())")
                    logger.info("sieve redirect", metadata: meta.merging(["target": "\(address)"]) { a, _ in a })
                } catch let refusal as SieveOutbound.Refusal {
                    logger.warning(
                        "sieve redirect refused: kept",
                        metadata: meta.merging(["target": "\(address)", "reason": "\(refusal)"]) { a, _ in a })
                    keepAnyway = true
                }
            }
        }
        if let vacation = outcome.vacation {
            if isSpam {
                logger.info("sieve vacation not sent", metadata: meta.merging(["reason": "spam"]) { a, _ in a })
            } else {
                await reply(vacation, request: request, message: message, header: ownHeader)
            }
        }
        var filings = outcome.localFilings(keep: request.keepMailbox)
        if keepAnyway && !filings.contains(where: { $0.mailbox == request.keepMailbox }) {
            filings.append(LocalFiling(mailbox: request.keepMailbox))
        }
        guard !outcome.headerEdits.isEmpty else { return .file(filings, header: nil, bodyOffset: nil) }
        // RFC 5293: the edits apply to the stored copies, to the message's own fields only (not
        // to Posta's trace and verdict fields above them); the body is taken from the spool file
        // after the original header.
        let edited = Array(original[..<request.traceLength]) + SieveHeaderEdit.apply(outcome.headerEdits, to: ownHeader)
        let bodyStart = request.offset + Int64(end - request.prefix.count)
        return .file(filings, header: edited, bodyOffset: bodyStart)
    }

    /// Where the header section of `bytes` ends: after the CRLF of its last field, before the
    /// empty line (or the end, for a message without body).
    func headerEnd(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A {
                if index == 0 || (index >= 2 && bytes[index - 2] == 0x0D && bytes[index - 1] == 0x0A) {
                    return index
                }
            }
            index += 1
        }
        return bytes.count
    }

    /// Sends the vacation reply unless RFC 5230 §4.5 / RFC 3834 §2 say not to (a list, a bulk
    /// or automatic message, the null sender, a message not addressed to the user). `:from` must
    /// be one of the user's own addresses (else the account's address is used): a script must
    /// not send, DKIM-signed, as someone else.
    func reply(_ vacation: SieveVacation, request: LocalDeliveryRequest, message: SieveMessage, header ownHeader: [UInt8])
        async
    {
        let meta: Logger.Metadata = ["id": "\(request.messageID)", "to": "\(request.address)"]
        let own = [request.address, request.recipient] + vacation.addresses
        let envelope = SieveEnvelope(from: request.reversePath, to: request.recipient, originalTo: nil, auth: nil)
        if let why = SieveVacation.responseBlocked(message: message, envelope: envelope, ownAddresses: own) {
            logger.info("sieve vacation not sent", metadata: meta.merging(["reason": "\(why)"]) { a, _ in a })
            return
        }
        guard let sender = try? MailAddress(parsing: request.reversePath) else { return }
        let from = await outbound.ownAddress(vacation.from, account: request.address, accountID: request.accountID)
        let bytes = VacationReply.compose(
            vacation, to: sender.description, from: from, original: MIMEMessage(ownHeader).header,
            hostname: outbound.hostname)
        do {
            try await outbound.vacation(
                bytes, to: sender, handle: vacation.handle, seconds: vacation.seconds, account: request.address,
                accountID: request.accountID, key: "\(request.deliveryKey)/vacation")
            logger.info("sieve vacation sent", metadata: meta)
        } catch {
            logger.info("sieve vacation not sent", metadata: meta.merging(["reason": "\(error)"]) { a, _ in a })
        }
    }
}
