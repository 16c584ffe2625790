import Core
import Filter
import Logging
import Queue

/// Content filtering at the end of data (docs/filter.md): the spooled message goes through the
/// filter chain before the final reply, so a virus is refused with 554 and a scanner outage
/// answered with 451 (the spool file is then discarded: nothing was accepted). What passes is
/// queued with the chain's header fields, into Junk, or held in the quarantine; with an external
/// content filter, it is queued for the filter instead of its recipients.
public struct ReceiverFiltering: Sendable {
    public var chain: FilterChain?
    public var quarantine: QuarantineStore
    /// Queue accepted mail for the external content filter (`[filter.external]`).
    public var external: Bool
    /// Per-account and per-domain spam settings (nil: `[filter]` for everyone).
    public var spamSettings: SpamSettingsStore?

    public init(chain: FilterChain?, quarantine: QuarantineStore, external: Bool, spamSettings: SpamSettingsStore? = nil) {
        self.chain = chain
        self.quarantine = quarantine
        self.external = external
        self.spamSettings = spamSettings
    }
}

extension SMTPReceiver {
    /// What filtering leaves to do.
    enum FilterDisposition {
        /// Queue these deliveries, adding these header fields (CRLF-ended; nil: none).
        case queue([QueuedDelivery], headers: String?)
        /// Already answered (refused or quarantined).
        case finished(SMTPEffectResult)
    }

    /// `headers`: fields added before filtering (policy), kept below the chain's own.
    func applyFilters(
        envelope: SMTPEnvelope, spool: (id: String, file: DurableFile), queued: QueuedEnvelope,
        deliveries: [QueuedDelivery], recipients: Int, headers earlier: String? = nil, logger: Logger
    ) async throws -> FilterDisposition {
        guard let filtering else { return .queue(deliveries, headers: earlier) }
        var deliveries = deliveries
        var headers = earlier
        if let chain = filtering.chain {
            let message = FilterMessage(
                path: spool.file.path, size: spool.file.bytesWritten, clientIP: envelope.clientIP,
                heloName: envelope.heloName, sender: envelope.reversePath?.description ?? "",
                recipients: envelope.recipients.map(\.address.description), authenticatedUser: envelope.authenticatedUser)
            let verdict = try await judgeSpam(
                await chain.scan(message), deliveries: &deliveries, settings: filtering.spamSettings)
            let added = verdict.headers.map { $0 + "\r\n" }.joined() + (earlier ?? "")
            headers = added.isEmpty ? nil : added
            switch verdict {
            case .accept:
                break
            case .junk:
                deliveries = Self.intoJunk(deliveries)
            case .reject(let reply), .tempfail(let reply):
                logger.notice("message refused by filter", metadata: ["id": "\(spool.id)", "reply": "\(reply)"])
                spool.file.discard()
                return .finished(result(repeating: SMTPReply(reply.code, reply.enhancedStatus, reply.text), count: recipients))
            case .quarantine(let reason, _):
                try await queue.quarantine(
                    id: spool.id, file: spool.file, envelope: queued, deliveries: deliveries, headers: headers,
                    reason: reason, in: filtering.quarantine)
                logger.notice("message quarantined", metadata: ["id": "\(spool.id)", "reason": "\(reason)"])
                let held = SMTPReply(250, .init(2, 0, 0), "Ok: queued as \(spool.id)")
                return .finished(result(repeating: held, count: recipients))
            }
        }
        // LMTP answers per recipient after local delivery, so it is never routed through the filter.
        if filtering.external, mode != .lmtp {
            deliveries = try await forContentFilter(envelope, relayed: Self.relayed(deliveries))
        }
        return .queue(deliveries, headers: headers)
    }

    /// One delivery to the content filter per envelope recipient, as the client gave it; a
    /// recipient in another domain that an authenticated user may relay to carries its relay
    /// ticket (`RelayTicket`), sent to the filter on top of the message.
    func forContentFilter(_ envelope: SMTPEnvelope, relayed: Set<String>) async throws -> [QueuedDelivery] {
        let reversePath = envelope.reversePath?.description ?? ""
        var deliveries: [QueuedDelivery] = []
        for recipient in envelope.recipients {
            let address = recipient.address.description
            var delivery = QueuedDelivery(
                recipient: address, orcpt: recipient.orcpt,
                notify: recipient.notify, kind: .filter, accountID: nil, target: address)
            if mode == .submission, envelope.authenticatedUser != nil, relayed.contains(address.lowercased()) {
                delivery.headers = try await queue.relayTickets(reversePath: reversePath, recipients: [address])
            }
            deliveries.append(delivery)
        }
        return deliveries
    }

    /// The recipients (lower-case) that are relayed to another domain rather than expanded
    /// locally: a remote delivery to the recipient itself.
    static func relayed(_ deliveries: [QueuedDelivery]) -> Set<String> {
        Set(
            deliveries.filter { $0.kind == .remote && $0.target.lowercased() == $0.recipient.lowercased() }.map {
                $0.recipient.lowercased()
            })
    }
}

extension SMTPReceiver {
    /// This receiver with content filtering (nil: none).
    public func withFiltering(_ filtering: ReceiverFiltering?) -> SMTPReceiver {
        var copy = self
        copy.filtering = filtering
        return copy
    }
}
