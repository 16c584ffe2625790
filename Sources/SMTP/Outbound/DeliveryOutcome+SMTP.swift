import Core
import Queue

extension DeliveryOutcome {
    /// The queue's outcome for one recipient of an outbound transaction: 2yz delivered, 5yz failed,
    /// anything else deferred, keeping the reply typed with `source` (the host) in front of its text.
    init(_ outcome: SMTPRecipientOutcome, from source: String) {
        switch outcome {
        case .accepted: self = .delivered
        case .temporaryFailure(let reply): self = .deferred(DeliveryReply(reply, from: source))
        case .permanentFailure(let reply): self = .failed(DeliveryReply(reply, from: source))
        }
    }
}

extension DeliveryReply {
    /// `reply` as the queue keeps it: its lines joined with spaces, after `source: `.
    init(_ reply: SMTPReply, from source: String) {
        self.init(reply.code, reply.enhancedStatus, "\(source): \(reply.lines.joined(separator: " "))")
    }
}
