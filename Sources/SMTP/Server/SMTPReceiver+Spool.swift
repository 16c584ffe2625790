import Core
import Logging
import Queue

extension SMTPReceiver {
    /// `.openSpool`: a new spool file whose first field is the `Received:` of this transaction
    /// (RFC 5321 §4.4); nil when it cannot be created or written (the content is still read, and
    /// the end of data answers a temporary failure). `Authentication-Results` fields that claim
    /// this host's name are left out (RFC 8601 §5), except in re-injected mail, whose fields this
    /// host added on the way in.
    public func openSpool(_ trace: SMTPTrace, logger: Logger) -> SMTPSpool? {
        do {
            let (id, file) = try queue.openSpoolFile()
            let spool = SMTPSpool(id: id, file: file, removingResultsOf: reinjection ? nil : hostname)
            let received = TraceHeaders.received(
                helo: trace.heloName, clientIP: trace.clientIP, byHost: hostname, protocolName: trace.protocolName,
                queueID: id, tls: trace.tls, recipient: trace.recipient)
            try spool.write(Array(received.utf8))
            return spool
        } catch {
            logger.error("spool write failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
