import Core

/// What a mail transaction builds for the receiver — the envelope, the recipients joining it, the
/// `Received:` trace and the end-of-data message — in one place, shared by `SMTPServerSession` and
/// the in-process submission of webmail (`SMTPReceiver.submitLocally`), so that both hand the
/// receiver the same values for the same transaction.
extension SMTPServerSession.Transaction {
    /// The envelope so far. `heloName` and `protocolName` are the `Received:` `from` name and `with`
    /// keyword (RFC 5321 §4.4, RFC 3848); `body` is the content received so far (nil: none yet).
    func envelope(
        heloName: String, protocolName: String, client: SMTPClientInfo, body: SMTPBodyAccumulator?,
        authenticatedUser: String?
    ) -> SMTPEnvelope {
        SMTPEnvelope(
            reversePath: mail.reversePath, recipients: recipients, dsnRet: mail.ret, dsnEnvID: mail.envID,
            body: mail.body ?? .sevenBit, smtpUTF8: mail.smtpUTF8, declaredSize: mail.size, heloName: heloName,
            protocolName: protocolName, clientIP: client.remoteIP, tls: client.tls,
            receivedHeaderCount: body?.receivedHeaderCount ?? 0, messageSize: body?.size ?? 0,
            authenticatedUser: authenticatedUser, requireTLS: mail.requireTLS)
    }

    /// An accepted RCPT joins the transaction: with its deliveries (a repeated RCPT replaces them)
    /// and what policy decided for the message.
    mutating func accept(_ recipient: SMTPRecipient, route: SMTPRecipientRoute) {
        recipients.append(recipient)
        routes[recipient.address.description] = route.deliveries
        policy.merge(route.policy)
    }

    /// The trace fields of the `Received:` field (RFC 5321 §4.4): `for` names the recipient only
    /// when there is exactly one.
    func trace(client: SMTPClientInfo) -> SMTPTrace {
        let accepted = Set(recipients.map(\.address.description))
        return SMTPTrace(
            heloName: heloName, clientIP: client.remoteIP, protocolName: protocolName, tls: client.tls?.protocolVersion,
            recipient: accepted.count == 1 ? accepted.first : nil)
    }

    /// The complete transaction for the end-of-data effect: each envelope recipient's deliveries
    /// in RCPT order.
    func message(_ envelope: SMTPEnvelope, spool: SMTPSpool?) -> SMTPMessage {
        SMTPMessage(
            envelope: envelope, deliveries: envelope.recipients.map { routes[$0.address.description] ?? [] },
            policy: policy, spool: spool)
    }
}
