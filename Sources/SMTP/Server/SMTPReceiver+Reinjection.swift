import Core
import Queue

extension SMTPReceiver {
    /// The verdict on a message re-injected by the external content filter.
    enum RelayCheck {
        /// A relayed recipient has no valid ticket: the whole message is refused.
        case refused(SMTPReply)
        /// Queue this spool file (a copy without the ticket fields when there were any).
        case accepted((id: String, file: DurableFile))
    }

    /// On a re-injection listener (`reinjection`): every recipient relayed to another domain
    /// needs a valid relay ticket (`RelayTicket`) for the envelope's reverse-path, else the
    /// message is refused — after DATA one reply covers every recipient (RFC 5321 §3.3), and
    /// relaying is only for authorised clients (§3.6.1). Tickets never travel further: what is
    /// queued is a copy without them.
    func checkRelayTickets(
        envelope: SMTPEnvelope, spool: (id: String, file: DurableFile), deliveries: [QueuedDelivery]
    ) async throws -> RelayCheck {
        let relayed = Self.relayed(deliveries)
        let tickets = try await queue.relayTicketValues(path: spool.file.path)
        let reversePath = envelope.reversePath?.description ?? ""
        for recipient in relayed.sorted() {
            guard try await queue.hasRelayTicket(tickets, reversePath: reversePath, recipient: recipient) else {
                logger.warning(
                    "relay without a valid ticket refused", metadata: ["rcpt": "\(recipient)", "client": "\(envelope.clientIP)"])
                return .refused(SMTPReply(550, .init(5, 7, 1), "<\(recipient)>: Relay access denied"))
            }
        }
        guard !tickets.isEmpty, let copy = try await queue.withoutRelayTickets(spool) else { return .accepted(spool) }
        spool.file.discard()
        return .accepted(copy)
    }
}
