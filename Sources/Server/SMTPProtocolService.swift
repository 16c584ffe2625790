import Core
import NIOCore
import SMTP

/// Plugs the SMTP adapter into a listener: port 25 (`smtp`, MX) and `lmtp`.
public struct SMTPProtocolService: ProtocolService {
    public let receiver: SMTPReceiver
    public let limits: Limits

    public init(receiver: SMTPReceiver, limits: Limits) {
        self.receiver = receiver
        self.limits = limits
    }

    public func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        var receiver = receiver
        if !context.listener.filter {  // a content filter's re-injection listener
            receiver.filtering = nil
            receiver.reinjection = true
        }
        let submission = receiver.mode == .submission
        let configuration = SMTPServerConfiguration(
            hostname: context.hostname, mode: receiver.mode == .lmtp ? .lmtp : .smtp,
            maxMessageSize: limits.maxMessageSize.bytes, maxRecipients: limits.maxRecipients,
            maxCommandLineLength: limits.maxLineLength,
            maxCommandsBeforeLogin: submission ? context.listener.maxCommandsBeforeLogin : nil,
            startTLSAvailable: context.tls != nil && context.listener.tls == .starttls,
            authMechanisms: submission ? ["PLAIN", "LOGIN"] : [], authRequiresTLS: true,
            requireAuthForMail: submission, maxAuthFailures: receiver.authenticator.maxFailuresPerConnection)
        try channel.pipeline.syncOperations.addHandler(
            SMTPServerHandler(
                receiver: receiver, configuration: configuration, clientIP: context.remoteIP, isTLS: context.isTLS,
                tls: context.tls, logger: context.logger))
    }

    /// RFC 5321 §3.8: 421 closes a connection the server cannot serve now.
    public func refusal(_ reason: RefusalReason, hostname: String) -> String? {
        let text: String
        switch reason {
        case .serverFull: text = "421 4.7.0 \(hostname) Too many connections, try again later\r\n"
        case .tooManyFromClient: text = "421 4.7.0 \(hostname) Too many connections from your address, try again later\r\n"
        case .shuttingDown: text = "421 4.3.2 \(hostname) Service shutting down\r\n"
        // RFC 5321 §3.1: a server may refuse a client with 554 instead of the greeting.
        case .notAllowed: text = "554 5.7.1 \(hostname) Access denied\r\n"
        }
        return text
    }
}
