import Connection
import Core
import Testing

@testable import SMTP

/// Feeds a session and answers its effects, recording everything.
struct SessionDriver {
    typealias Responder = @Sendable (SMTPEffect) -> SMTPEffectResult

    var session: SMTPServerSession
    let responder: Responder
    /// Every action, effects included, in order.
    private(set) var log: [SMTPServerAction] = []
    private(set) var effects: [SMTPEffect] = []
    private(set) var messages: [(envelope: SMTPEnvelope, data: [UInt8])] = []
    /// Every `.openSpool` the session asked for.
    private(set) var traces: [SMTPTrace] = []
    /// The end-of-data effects, with what the session kept of the transaction.
    private(set) var completed: [SMTPMessage] = []
    private(set) var abortedCount = 0
    private var current: [UInt8] = []

    init(
        _ configuration: SMTPServerConfiguration = .test, client: SMTPClientInfo = .test,
        responder: @escaping Responder = SessionDriver.standard, start: Bool = true
    ) {
        session = SMTPServerSession(configuration: configuration, client: client)
        self.responder = responder
        if start { absorb(session.start()) }
    }

    @discardableResult
    mutating func send(_ text: String) -> [SMTPServerAction] { send(Array(text.utf8)) }

    @discardableResult
    mutating func send(_ bytes: [UInt8]) -> [SMTPServerAction] { absorb(session.receive(bytes)) }

    @discardableResult
    mutating func timeout() -> [SMTPServerAction] { absorb(session.timeout()) }

    @discardableResult
    mutating func tlsEstablished(_ info: TLSInfo = .test) -> [SMTPServerAction] { absorb(session.tlsEstablished(info)) }

    /// Records `initial` and answers effects until the session stops asking.
    @discardableResult
    mutating func absorb(_ initial: [SMTPServerAction]) -> [SMTPServerAction] {
        var batch = initial
        var all: [SMTPServerAction] = []
        while true {
            // An effect can only ever be the last action of a batch.
            for action in batch.dropLast() {
                if case .effect = action { Issue.record("effect before the end of a batch: \(batch)") }
            }
            all += batch
            record(batch)
            guard case .effect(let effect)? = batch.last else { break }
            batch = session.resume(responder(effect))
        }
        return all
    }

    private mutating func record(_ batch: [SMTPServerAction]) {
        log += batch
        for action in batch {
            switch action {
            case .messageData(let bytes): current += bytes
            case .messageAborted:
                current = []
                abortedCount += 1
            case .effect(let effect):
                effects.append(effect)
                if case .messageComplete(let message) = effect {
                    messages.append((message.envelope, current))
                    completed.append(message)
                    current = []
                }
                if case .openSpool(let trace) = effect { traces.append(trace) }
            default: break
            }
        }
    }

    /// Authenticates `alice`/`secret` (as `alice`), refuses other credentials with `535 5.7.8`;
    /// accepts senders except `spammer@…`; recipients at example.org / bücher.example except
    /// `nobody@…`; SMTP messages with one 250; LMTP messages per recipient (452 for `full@…`); no
    /// spool file (the adapter's end-of-data effect would answer 451; this one does not look).
    static let standard: Responder = { effect in
        switch effect {
        case .openSpool:
            return .spoolOpened(nil)
        case .checkSender(let envelope):
            if envelope.reversePath?.localPart == "spammer" { return .reply(SMTPReply(550, .init(5, 7, 1), "Sender rejected")) }
            return .reply(SMTPReply(250, .init(2, 1, 0), "Sender OK"))
        case .checkRecipient(let request):
            let address = request.recipient.address
            let local = ["example.org", "mx.example.org", "bücher.example"].contains(address.domain)
            if local && address.localPart != "nobody" { return .reply(SMTPReply(250, .init(2, 1, 5), "Recipient OK")) }
            return .reply(SMTPReply(550, .init(5, 1, 1), "No such user"))
        case .messageComplete(let message):
            let envelope = message.envelope
            if envelope.protocolName.contains("LMTP") {
                return .replies(
                    envelope.recipients.map {
                        $0.address.localPart == "full"
                            ? SMTPReply(452, .init(4, 2, 2), "Mailbox full")
                            : SMTPReply(250, .init(2, 0, 0), "<\($0.address)> delivered")
                    })
            }
            return .reply(SMTPReply(250, .init(2, 0, 0), "Queued"))
        case .authenticate(let request):
            if request.authcid == "alice" && request.password == "secret" { return .authenticated(user: "alice") }
            return .reply(SMTPReply(535, .init(5, 7, 8), "Authentication credentials invalid"))
        }
    }
}

extension SMTPServerConfiguration {
    static let test = SMTPServerConfiguration(hostname: "mx.example.org", maxMessageSize: 100_000, startTLSAvailable: true)

    static func test(_ change: (inout SMTPServerConfiguration) -> Void) -> SMTPServerConfiguration {
        var c = SMTPServerConfiguration.test
        change(&c)
        return c
    }
}

extension SMTPClientInfo {
    static let test = SMTPClientInfo(remoteIP: "192.0.2.7")
}

extension TLSInfo {
    static let test = TLSInfo(protocolVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256")
}

extension Array where Element == SMTPServerAction {
    var replies: [SMTPReply] {
        compactMap {
            if case .reply(let r) = $0 { return r }
            return nil
        }
    }
    var codes: [Int] { replies.map(\.code) }
    /// `"250 2.1.0"`-style summaries.
    var statuses: [String] { replies.map { r in r.enhancedStatus.map { "\(r.code) \($0)" } ?? "\(r.code)" } }
    var effects: [SMTPEffect] {
        compactMap {
            if case .effect(let e) = $0 { return e }
            return nil
        }
    }
    var closes: Bool { contains(.close) }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Base64 of `text` (test helper for SASL exchanges).
func b64(_ text: String) -> String { SASLBase64.encode(Array(text.utf8)) }

/// EHLO + MAIL + RCPT for tests that start at the content.
let openTransaction = "EHLO client.example\r\nMAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@example.org>\r\n"
