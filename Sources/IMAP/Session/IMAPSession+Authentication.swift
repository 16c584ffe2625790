import Connection

extension IMAPSession {
    /// The CAPABILITY list for the current state (RFC 9051 §6.1.1): login mechanisms only where
    /// logins are allowed, everything else once authenticated.
    var capabilities: [String] {
        var list = ["IMAP4rev1", "IMAP4rev2", "LITERAL+", "SASL-IR", "ID", "ENABLE"]
        if state == .notAuthenticated {
            if configuration.startTLSAvailable && !isTLS { list.append("STARTTLS") }
            if loginsAllowed {
                list += ["AUTH=PLAIN", "AUTH=LOGIN"]
            } else {
                list.append("LOGINDISABLED")
            }
            return list
        }
        list += [
            "IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "SPECIAL-USE", "CREATE-SPECIAL-USE", "UNSELECT", "CHILDREN",
            "LIST-EXTENDED", "LIST-STATUS", "QUOTA", "QUOTA=RES-STORAGE", "CONDSTORE", "QRESYNC",
            "ESEARCH", "SEARCHRES", "APPENDLIMIT=\(configuration.appendLimit)", "STATUS=SIZE", "BINARY", "UTF8=ACCEPT",
            "MULTIAPPEND",
        ]
        return list
    }

    var loginsAllowed: Bool { isTLS || configuration.allowPlaintextAuth }

    /// RFC 9051 §6.2.1; RFC 2595 §3.1: nothing sent before the handshake survives it.
    mutating func startTLS(_ tag: String) {
        guard configuration.startTLSAvailable, !isTLS else {
            bad(tag, "STARTTLS not available")
            return
        }
        ok(tag, "Begin TLS negotiation now")
        mode = .startingTLS
        queued.removeAll()
        act(.startTLS)
    }

    /// RFC 9051 §6.2.3.
    mutating func login(_ tag: String, user: [UInt8], password: [UInt8]) {
        guard loginsAllowed else {
            no(tag, code: .privacyRequired, "LOGIN is disabled until TLS is started")
            return
        }
        logIn(
            tag, user: String(decoding: user, as: UTF8.self), password: String(decoding: password, as: UTF8.self),
            mechanism: "LOGIN")
    }

    /// One AUTHENTICATE exchange (RFC 9051 §6.2.2, SASL-IR RFC 4959).
    struct SASLExchange: Sendable {
        enum Mechanism: Sendable {
            case plain
            /// LOGIN: `user` once the first response is in.
            case login(user: [UInt8]?)
        }

        var tag: String
        var mechanism: Mechanism
        /// A challenge was sent; the next line is the client's response.
        var waiting = false
    }

    /// RFC 9051 §6.2.2 with PLAIN (RFC 4616) and LOGIN; SASL-IR (RFC 4959).
    mutating func authenticate(_ tag: String, mechanism: String, initialResponse: String?) {
        guard loginsAllowed else {
            no(tag, code: .privacyRequired, "Authentication is disabled until TLS is started")
            return
        }
        let exchange: SASLExchange
        switch mechanism.uppercased() {
        case "PLAIN": exchange = SASLExchange(tag: tag, mechanism: .plain)
        case "LOGIN": exchange = SASLExchange(tag: tag, mechanism: .login(user: nil))
        default:
            no(tag, "Unsupported authentication mechanism")
            return
        }
        guard let initialResponse else { return challenge(exchange) }
        respond(exchange, Self.saslDecode(initialResponse))
    }

    /// `+ challenge`, then wait for the response line.
    private mutating func challenge(_ exchange: SASLExchange) {
        var exchange = exchange
        exchange.waiting = true
        mode = .sasl(exchange)
        act(.expectLine)
        let text: String
        switch exchange.mechanism {
        case .plain: text = ""
        case .login(let user): text = user == nil ? "Username:" : "Password:"
        }
        emit(.continuation(SASLBase64.encode(text)))
    }

    mutating func continueSASL(_ exchange: SASLExchange, _ input: IMAPInput) {
        mode = .commands
        guard case .line(let line) = input else {
            bad(exchange.tag, "Authentication cancelled")
            return
        }
        respond(exchange, Self.saslDecode(String(decoding: line, as: UTF8.self)))
    }

    /// The decoded client response; nil when the client cancels (`*`) or sends bad BASE64.
    private static func saslDecode(_ text: String) -> [UInt8]? {
        let text = text == "=" ? "" : text
        guard text != "*" else { return nil }
        return SASLBase64.decode(text)
    }

    private mutating func respond(_ exchange: SASLExchange, _ response: [UInt8]?) {
        mode = .commands
        let tag = exchange.tag
        guard let response else {
            bad(tag, "Authentication cancelled")
            return
        }
        switch exchange.mechanism {
        case .plain:
            // RFC 4616 §2 by `SASLPlain`'s rules: malformed, empty credentials or another authzid fail.
            switch SASLPlain.parse(response) {
            case .failure(.malformed):
                no(tag, code: .authenticationFailed, "Invalid PLAIN response")
            case .failure(.emptyCredentials), .failure(.authorizationNotPermitted):
                no(tag, code: .authenticationFailed, "Authentication failed")
            case .success(let plain):
                logIn(tag, user: plain.authenticationID, password: plain.password, mechanism: "PLAIN")
            }
        case .login(nil):
            challenge(SASLExchange(tag: tag, mechanism: .login(user: response)))
        case .login(let user?):
            logIn(
                tag, user: String(decoding: user, as: UTF8.self), password: String(decoding: response, as: UTF8.self),
                mechanism: "LOGIN")
        }
    }

    private mutating func logIn(_ tag: String, user: String, password: String, mechanism: String) {
        request(.login(user: user, password: password, mechanism: mechanism), tag: tag, then: .login)
    }

    mutating func loggedIn(_ tag: String, _ outcome: IMAPLoginOutcome) {
        switch outcome {
        case .success(let account):
            self.account = account
            state = .authenticated
            act(.authenticated(account))
            ok(tag, code: .capability(capabilities), "Logged in")
        case .invalidCredentials:
            no(tag, code: .authenticationFailed, "Invalid credentials")
            countLoginFailure()
        case .throttled:
            no(tag, code: .unavailable, "Too many failed logins; try again later")
            countLoginFailure()
        case .unavailable:
            no(tag, code: .unavailable, "Authentication is temporarily unavailable")
        case .passwordExpired:
            // RFC 5530 §3: the credentials were right, but the password must be changed first.
            no(tag, code: .expired, "Password expired: change it, then log in again")
        }
    }

    /// Guessing needs a new connection, each paying the throttle's delays: after the last allowed
    /// failure, `* BYE` and close (RFC 9051 §7.1.5).
    private mutating func countLoginFailure() {
        loginFailures += 1
        guard loginFailures >= configuration.maxLoginFailures else { return }
        emit(.untagged(IMAPStatusResponse(.bye, "Too many failed logins")))
        finish()
    }

    /// RFC 5161 §3.1: unknown names are ignored; `* ENABLED` lists only the newly enabled ones.
    mutating func enable(_ tag: String, _ names: [String]) {
        let known: Set<String> = ["IMAP4REV2", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT"]
        var newly: [String] = []
        for name in names.map({ $0.uppercased() }) where known.contains(name) && !enabled.contains(name) {
            enabled.insert(name)
            newly.append(name)
            // RFC 7162 §3.2.3: QRESYNC implies CONDSTORE.
            if name == "QRESYNC" || name == "CONDSTORE" { enableCondStore() }
        }
        emit(.data(.enabled(newly.map { $0 == "IMAP4REV2" ? "IMAP4rev2" : $0 })))
        ok(tag, "ENABLE completed")
    }

    /// RFC 2971 §3.2.
    mutating func id(_ tag: String) {
        emit(.data(.id([IMAPIDField("name", "Posta"), IMAPIDField("vendor", "Posta")])))
        ok(tag, "ID completed")
    }
}
