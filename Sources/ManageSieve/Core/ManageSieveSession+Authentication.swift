import Connection

extension ManageSieveSession {
    /// One AUTHENTICATE exchange (RFC 5804 §2.1) with PLAIN (RFC 4616) or LOGIN.
    struct SASLExchange: Sendable, Hashable {
        enum Mechanism: Sendable, Hashable {
            case plain
            /// LOGIN: `user` once the first response is in.
            case login(user: [UInt8]?)
        }

        var mechanism: Mechanism
    }

    /// §2.1. Logins need TLS unless the listener allows plain text, the rule IMAP and POP3 follow.
    mutating func authenticate(mechanism: String, initialResponse: [UInt8]?, _ out: inout [ManageSieveAction]) {
        guard loginsAllowed else {
            // §1.3 ENCRYPT-NEEDED: the mechanism needs an encrypted connection.
            let text = configuration.startTLSAvailable ? "Issue STARTTLS before authenticating" : "TLS is required"
            return out.append(.send(.no(text, code: .encryptNeeded)))
        }
        let exchange: SASLExchange
        switch mechanism {
        case "PLAIN": exchange = SASLExchange(mechanism: .plain)
        case "LOGIN": exchange = SASLExchange(mechanism: .login(user: nil))
        default: return out.append(.send(.no("Unsupported SASL mechanism")))
        }
        guard let initialResponse else { return challenge(exchange, &out) }
        respond(exchange, Self.saslDecode(initialResponse), &out)
    }

    /// §2.1: the challenge is a string (base64) on its own line; the client answers with a string.
    private mutating func challenge(_ exchange: SASLExchange, _ out: inout [ManageSieveAction]) {
        state = .sasl(exchange)
        let text: String
        switch exchange.mechanism {
        case .plain: text = ""
        case .login(let user): text = user == nil ? "Username:" : "Password:"
        }
        out.append(.send(.line([.text(SASLBase64.encode(text))])))
    }

    /// The client's response to a challenge.
    mutating func continueSASL(_ exchange: SASLExchange, _ frame: [UInt8], _ out: inout [ManageSieveAction]) {
        state = .notAuthenticated
        let response: [UInt8]?
        do { response = try ManageSieveCommandParser.parseSASLResponse(frame) } catch {
            return out.append(.send(.no("Invalid SASL response: \(error.message)")))
        }
        // §2.1: "*" cancels the exchange, answered with NO.
        guard let response else { return out.append(.send(.no("Authentication cancelled"))) }
        respond(exchange, Self.saslDecode(response), &out)
    }

    /// Base64 by the rules every SASL profile here uses; an empty string is an empty response.
    private static func saslDecode(_ text: [UInt8]) -> [UInt8]? {
        text == [UInt8(ascii: "=")] ? [] : SASLBase64.decode(text)
    }

    private mutating func respond(_ exchange: SASLExchange, _ decoded: [UInt8]?, _ out: inout [ManageSieveAction]) {
        state = .notAuthenticated
        guard let decoded else { return out.append(.send(.no("Invalid base64 in SASL response"))) }
        switch exchange.mechanism {
        case .plain:
            // RFC 4616 §2 by `SASLPlain`'s rules: malformed, empty credentials or another authzid fail.
            switch SASLPlain.parse(decoded) {
            case .failure(.malformed):
                out.append(.send(.no("Malformed PLAIN response")))
            case .failure(.emptyCredentials):
                out.append(.send(.no("Authentication failed")))
            case .failure(.authorizationNotPermitted):
                out.append(.send(.no("Authorization identity not permitted")))
            case .success(let plain):
                logIn(user: plain.authenticationID, password: plain.password, mechanism: "PLAIN", &out)
            }
        case .login(nil):
            challenge(SASLExchange(mechanism: .login(user: decoded)), &out)
        case .login(let user?):
            logIn(
                user: String(decoding: user, as: UTF8.self), password: String(decoding: decoded, as: UTF8.self),
                mechanism: "LOGIN", &out)
        }
    }

    private mutating func logIn(user: String, password: String, mechanism: String, _ out: inout [ManageSieveAction]) {
        pending = .login
        out.append(.effect(.login(user: user, password: password, mechanism: mechanism)))
    }

    mutating func loggedIn(_ account: ManageSieveAccount, _ out: inout [ManageSieveAction]) {
        state = .authenticated(account)
        framer.limits = Self.limits(configuration, authenticated: true)
        out.append(.authenticated(account))
        out.append(.send(.ok("Logged in")))
    }

    mutating func loginFailed(_ failure: ManageSieveLoginFailure, _ out: inout [ManageSieveAction]) {
        switch failure {
        case .invalidCredentials: out.append(.send(.no("Authentication failed")))
        case .throttled: out.append(.send(.no("Too many failed logins, try again later", code: .tryLater)))
        case .temporary: out.append(.send(.no("Authentication is temporarily unavailable", code: .tryLater)))
        case .passwordExpired: out.append(.send(.no("Password expired: change it, then log in again")))
        }
        // Guessing needs a new connection, each paying the throttle's delays.
        guard failure == .invalidCredentials || failure == .throttled else { return }
        authFailures += 1
        if authFailures >= configuration.maxAuthFailures {
            close(with: .bye("Too many failed logins"), &out)
        }
    }

    /// §2.14: back to the non-authenticated state; the client may log in again.
    mutating func unauthenticate(_ out: inout [ManageSieveAction]) {
        guard isAuthenticated else { return out.append(.send(.no("Not authenticated"))) }
        state = .notAuthenticated
        commandsBeforeLogin = 0
        framer.limits = Self.limits(configuration, authenticated: false)
        out.append(.unauthenticated)
        out.append(.send(.ok("Unauthenticate completed")))
    }
}
