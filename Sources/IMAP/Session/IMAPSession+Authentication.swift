import Connection
import Directory
import Foundation

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
    func startTLS(_ tag: String) async throws {
        guard configuration.startTLSAvailable, !isTLS else {
            bad(tag, "STARTTLS not available")
            return
        }
        await flush()
        var response: [UInt8] = []
        encoder.encode(.tagged(tag: tag, IMAPStatusResponse(.ok, "Begin TLS negotiation now")), into: &response)
        do {
            try await transport.startTLS(after: response)
            isTLS = true
        } catch {
            logger.info("STARTTLS failed", metadata: ["error": "\(error)"])
            state = .logout
        }
    }

    /// RFC 9051 §6.2.3.
    func login(_ tag: String, user: [UInt8], password: [UInt8]) async {
        guard loginsAllowed else {
            no(tag, code: .privacyRequired, "LOGIN is disabled until TLS is started")
            return
        }
        await logIn(tag, user: String(decoding: user, as: UTF8.self), password: String(decoding: password, as: UTF8.self), mechanism: "LOGIN")
    }

    /// RFC 9051 §6.2.2 with PLAIN (RFC 4616) and LOGIN; SASL-IR (RFC 4959).
    func authenticate(_ tag: String, mechanism: String, initialResponse: String?) async {
        guard loginsAllowed else {
            no(tag, code: .privacyRequired, "Authentication is disabled until TLS is started")
            return
        }
        switch mechanism.uppercased() {
        case "PLAIN":
            guard let response = await saslResponse(initialResponse, challenge: "") else {
                bad(tag, "Authentication cancelled")
                return
            }
            // RFC 4616 §2 by `SASLPlain`'s rules: malformed, empty credentials or another authzid fail.
            switch SASLPlain.parse(response) {
            case .failure(.malformed):
                no(tag, code: .authenticationFailed, "Invalid PLAIN response")
            case .failure(.emptyCredentials), .failure(.authorizationNotPermitted):
                no(tag, code: .authenticationFailed, "Authentication failed")
            case .success(let plain):
                await logIn(tag, user: plain.authenticationID, password: plain.password, mechanism: "PLAIN")
            }
        case "LOGIN":
            guard let user = await saslResponse(initialResponse, challenge: "Username:"),
                let password = await saslResponse(nil, challenge: "Password:")
            else {
                bad(tag, "Authentication cancelled")
                return
            }
            await logIn(
                tag, user: String(decoding: user, as: UTF8.self), password: String(decoding: password, as: UTF8.self),
                mechanism: "LOGIN")
        default:
            no(tag, "Unsupported authentication mechanism")
        }
    }

    /// The decoded client response: the initial response when given (`=` is empty), else one
    /// read after a `+ challenge` continuation. Nil when the client cancels (`*`) or sends bad BASE64.
    private func saslResponse(_ initial: String?, challenge: String) async -> [UInt8]? {
        var text: String
        if let initial {
            text = initial
        } else {
            await transport.expectLine()
            emit(.continuation(SASLBase64.encode(challenge)))
            await flush()
            switch await transport.next() {
            case .line(let line):
                text = String(decoding: line, as: UTF8.self)
            case .shutdown, .idle:
                emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) closing the connection")))
                await finish()
                return nil
            case .closed:
                state = .logout
                return nil
            case .frame, .framingError, .mailboxChanged, .revoked:
                return nil
            }
        }
        if text == "=" { text = "" }
        guard text != "*" else { return nil }
        return SASLBase64.decode(text)
    }

    private func logIn(_ tag: String, user: String, password: String, mechanism: String) async {
        var loginLogger = logger
        loginLogger[metadataKey: "mechanism"] = "\(mechanism)"
        let outcome = await backend.authenticator.login(
            user: user, password: password, clientIP: clientIP, protocolName: protocolName, logger: loginLogger)
        switch outcome {
        case .success(let account):
            self.account = account
            let transport = transport
            registration = backend.authenticator.sessions.register(account) { transport.inject(.revoked) }
            state = .authenticated
            await transport.authenticated()
            logger[metadataKey: "user"] = "\(account.address)"
            ok(tag, code: .capability(capabilities), "Logged in")
        case .invalidCredentials:
            no(tag, code: .authenticationFailed, "Invalid credentials")
            await countLoginFailure()
        case .throttled:
            no(tag, code: .unavailable, "Too many failed logins; try again later")
            await countLoginFailure()
        case .unavailable:
            no(tag, code: .unavailable, "Authentication is temporarily unavailable")
        }
    }

    /// Guessing needs a new connection, each paying the throttle's delays: after the last allowed
    /// failure, `* BYE` and close (RFC 9051 §7.1.5).
    private func countLoginFailure() async {
        loginFailures += 1
        guard loginFailures >= backend.authenticator.maxFailuresPerConnection else { return }
        emit(.untagged(IMAPStatusResponse(.bye, "Too many failed logins")))
        await finish()
    }

    /// The account was disabled or its password changed: `* BYE` and close (RFC 9051 §7.1.5).
    func endRevoked() async {
        logger.notice("session revoked")
        emit(.untagged(IMAPStatusResponse(.bye, "Account disabled or credentials changed")))
        await finish()
    }

    /// RFC 5161 §3.1: unknown names are ignored; `* ENABLED` lists only the newly enabled ones.
    func enable(_ tag: String, _ names: [String]) {
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
    func id(_ tag: String) {
        emit(.data(.id([IMAPIDField("name", "Posta"), IMAPIDField("vendor", "Posta")])))
        ok(tag, "ID completed")
    }
}
