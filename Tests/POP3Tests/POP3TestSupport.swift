@testable import POP3

/// Drives a session with text and collects what it sends.
struct Harness {
    var session: POP3Session

    init(tls: Bool = true, stls: Bool = true, plaintext: Bool = false, maxAuthFailures: Int = 3) {
        session = POP3Session(
            configuration: POP3Configuration(
                hostname: "pop.example.org", stlsAvailable: stls, allowPlaintextAuth: plaintext, maxAuthFailures: maxAuthFailures),
            isTLS: tls)
        _ = session.start()
    }

    mutating func send(_ text: String) -> [POP3Action] { session.receive(Array(text.utf8)) }

    /// The wire text of the non-effect actions.
    static func wire(_ actions: [POP3Action]) -> String {
        actions.map { action -> String in
            switch action {
            case .send(let response): String(decoding: response.encode(), as: UTF8.self)
            case .continuation(let text): "+ \(text)\r\n"
            case .effect(let effect): "<effect \(effect)>"
            case .startTLS: "<starttls>"
            case .close: "<close>"
            }
        }.joined()
    }

    static let drop = POP3Maildrop(
        mailboxID: 7, uidValidity: 1234,
        messages: [
            POP3Message(uid: 3, size: 100, path: "/m/3"), POP3Message(uid: 9, size: 250, path: "/m/9"),
            POP3Message(uid: 12, size: 4000, path: "/m/12"),
        ])

    /// A session in TRANSACTION state with `drop`.
    static func loggedIn() -> Harness {
        var h = Harness()
        _ = h.send("USER alice@example.org\r\n")
        let actions = h.send("PASS password-123\r\n")
        precondition(actions == [.effect(.login(user: "alice@example.org", password: "password-123", mechanism: "USER"))])
        _ = h.session.resume(.loggedIn(drop))
        return h
    }
}
