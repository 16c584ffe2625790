import Foundation

/// The mail protocols `posta check` can talk to.
public enum ProbeProtocol: String, Sendable, CaseIterable {
    /// SMTP relay/MX (RFC 5321), port 25.
    case smtp
    /// Message submission (RFC 6409), port 587, or 465 with implicit TLS (RFC 8314).
    case submission
    /// IMAP (RFC 9051), port 143, or 993 with implicit TLS.
    case imap
    /// POP3 (RFC 1939), port 110, or 995 with implicit TLS.
    case pop3

    /// The standard port (RFC 8314 §7.3 for the implicit-TLS ones).
    public func standardPort(implicitTLS: Bool) -> Int {
        switch (self, implicitTLS) {
        case (.smtp, false): 25
        case (.smtp, true): 465
        case (.submission, false): 587
        case (.submission, true): 465
        case (.imap, false): 143
        case (.imap, true): 993
        case (.pop3, false): 110
        case (.pop3, true): 995
        }
    }
}

/// What a probe does after connecting.
public struct ProbeOptions: Sendable, Equatable {
    public var proto: ProbeProtocol
    /// Ask for STARTTLS (SMTP, IMAP) or STLS (POP3) and go on over TLS.
    public var startTLS: Bool
    /// Log in with this user and password (AUTH PLAIN for SMTP, LOGIN for IMAP, USER/PASS for POP3).
    public var credentials: Credentials?
    /// The name sent in EHLO.
    public var heloName: String

    public struct Credentials: Sendable, Equatable {
        public var user: String
        public var password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    public init(proto: ProbeProtocol, startTLS: Bool = false, credentials: Credentials? = nil, heloName: String = "localhost") {
        self.proto = proto
        self.startTLS = startTLS
        self.credentials = credentials
        self.heloName = heloName
    }
}

/// What the probe's dialogue wants done next.
public enum ProbeAction: Sendable, Equatable {
    /// Send this command line (CRLF is added by the caller).
    case send(String)
    /// Start TLS on the connection now, then call ``ProbeDialogue/tlsEstablished()``.
    case startTLS
    /// The dialogue is over; close the connection.
    case finish(ProbeOutcome)
}

/// How a probe ended.
public enum ProbeOutcome: Sendable, Equatable {
    /// The server answered everything as it should.
    case success(banner: String, capabilities: [String])
    /// The server refused or answered wrongly: the text says what (for a CRITICAL result).
    case failure(String)
}

/// The client side of a health probe over SMTP, IMAP or POP3, without I/O: it is fed the server's
/// lines one at a time (without CRLF) and answers with the commands to send, so that the same
/// dialogue runs over a socket or in a unit test. The order is banner, capabilities (EHLO,
/// CAPABILITY, CAPA), optional STARTTLS and capabilities again (RFC 3207 §4.2, RFC 9051 §6.2.1,
/// RFC 2595 §4: what was learnt before TLS is forgotten), optional login, then QUIT/LOGOUT.
public struct ProbeDialogue: Sendable {
    public let options: ProbeOptions

    private enum Step: Sendable, Equatable {
        case banner
        case capabilities
        case startTLS
        case waitingForTLS
        case login  // SMTP AUTH, IMAP LOGIN, POP3 PASS
        case user  // POP3 USER
        case quit
        case done
    }

    private var step = Step.banner
    private var banner = ""
    private var capabilities: [String] = []
    /// Lines of an SMTP multi-line reply, or the POP3 CAPA list, gathered so far.
    private var pending: [String] = []
    private var inCapaList = false
    private var tlsDone = false
    private var tag = 0

    /// Most lines of one reply kept (EHLO keywords, CAPA lines): a server is not trusted to stop.
    static let maxReplyLines = 200

    public init(options: ProbeOptions) {
        self.options = options
    }

    /// The server's line (CRLF removed). Lines after the dialogue finished are ignored.
    public mutating func receive(_ line: String) -> [ProbeAction] {
        switch options.proto {
        case .smtp, .submission: return smtp(line)
        case .imap: return imap(line)
        case .pop3: return pop3(line)
        }
    }

    /// TLS is up after a ``ProbeAction/startTLS``: capabilities are asked for again.
    public mutating func tlsEstablished() -> [ProbeAction] {
        guard step == .waitingForTLS else { return [] }
        tlsDone = true
        capabilities = []
        step = .capabilities
        return [.send(capabilityCommand())]
    }

    private mutating func finish(_ outcome: ProbeOutcome) -> [ProbeAction] {
        step = .done
        return [.finish(outcome)]
    }

    private mutating func fail(_ text: String) -> [ProbeAction] { finish(.failure(text)) }

    private mutating func capabilityCommand() -> String {
        switch options.proto {
        case .smtp, .submission: return "EHLO \(options.heloName)"
        case .imap: return nextTag() + " CAPABILITY"
        case .pop3: return "CAPA"
        }
    }

    private mutating func nextTag() -> String {
        tag += 1
        return "p\(tag)"
    }

    private var currentTag: String { "p\(tag)" }

    /// After the capabilities: STARTTLS if asked and not done, else login if asked, else quit.
    private mutating func afterCapabilities() -> [ProbeAction] {
        if options.startTLS && !tlsDone {
            let offered: Bool
            switch options.proto {
            case .smtp, .submission: offered = capabilities.contains { $0.uppercased() == "STARTTLS" }
            case .imap: offered = capabilities.contains { $0.uppercased() == "STARTTLS" }
            case .pop3: offered = capabilities.contains { $0.uppercased() == "STLS" }
            }
            guard offered else { return fail("STARTTLS not offered") }
            step = .startTLS
            switch options.proto {
            case .smtp, .submission: return [.send("STARTTLS")]
            case .imap: return [.send(nextTag() + " STARTTLS")]
            case .pop3: return [.send("STLS")]
            }
        }
        if let credentials = options.credentials { return login(credentials) }
        return quit()
    }

    private mutating func login(_ credentials: ProbeOptions.Credentials) -> [ProbeAction] {
        switch options.proto {
        case .smtp, .submission:
            // RFC 4954 §4 with RFC 4616: authzid empty, NUL, authcid, NUL, password.
            guard
                capabilities.contains(where: {
                    $0.uppercased().hasPrefix("AUTH ") && $0.uppercased().split(separator: " ").contains("PLAIN")
                })
            else { return fail("AUTH PLAIN not offered") }
            let token = Data(([0] + Array(credentials.user.utf8) + [0] + Array(credentials.password.utf8))).base64EncodedString()
            step = .login
            return [.send("AUTH PLAIN " + token)]
        case .imap:
            // RFC 9051 §6.2.3 LOGIN with quoted strings (RFC 9051 §4.3); no literals for control characters.
            guard let user = Self.imapQuoted(credentials.user), let password = Self.imapQuoted(credentials.password) else {
                return fail("user or password holds characters a quoted string cannot carry")
            }
            step = .login
            return [.send("\(nextTag()) LOGIN \(user) \(password)")]
        case .pop3:
            guard !credentials.user.contains(where: { $0.isNewline }), !credentials.password.contains(where: { $0.isNewline })
            else { return fail("user or password holds a line break") }
            step = .user
            return [.send("USER " + credentials.user)]
        }
    }

    private mutating func quit() -> [ProbeAction] {
        step = .quit
        switch options.proto {
        case .smtp, .submission, .pop3: return [.send("QUIT")]
        case .imap: return [.send(nextTag() + " LOGOUT")]
        }
    }

    private var success: ProbeOutcome { .success(banner: banner, capabilities: capabilities) }

    static func imapQuoted(_ text: String) -> String? {
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: SMTP (RFC 5321 §4.2: "250-" continues a reply, "250 " or "250" ends it)

    private mutating func smtp(_ line: String) -> [ProbeAction] {
        guard step != .done else { return [] }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (0x30...0x39).contains($0) }),
            bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else { return fail("malformed SMTP reply: \(Self.excerpt(line))") }
        let code = Int(line.prefix(3))!
        let text = bytes.count > 4 ? String(line.dropFirst(4)) : ""
        if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") {
            guard pending.count < Self.maxReplyLines else { return fail("SMTP reply longer than \(Self.maxReplyLines) lines") }
            pending.append(text)
            return []
        }
        let lines = pending + [text]
        pending = []
        let reply = "\(code) \(lines.first ?? "")"
        switch step {
        case .banner:
            guard code == 220 else { return fail("banner: \(Self.excerpt(reply))") }  // RFC 5321 §4.3.2: 554 = no service
            banner = reply
            step = .capabilities
            return [.send(capabilityCommand())]
        case .capabilities:
            guard code == 250 else { return fail("EHLO: \(Self.excerpt(reply))") }
            capabilities = Array(lines.dropFirst())
            return afterCapabilities()
        case .startTLS:
            guard code == 220 else { return fail("STARTTLS: \(Self.excerpt(reply))") }
            step = .waitingForTLS
            return [.startTLS]
        case .login:
            guard code == 235 else { return fail("login failed: \(Self.excerpt(reply))") }
            return quit()
        case .quit:
            guard code == 221 else { return fail("QUIT: \(Self.excerpt(reply))") }
            return finish(success)
        case .user, .waitingForTLS, .done:
            return fail("unexpected reply: \(Self.excerpt(reply))")
        }
    }

    // MARK: IMAP (RFC 9051 §7.1: untagged "* OK" greeting, tagged completion)

    private mutating func imap(_ line: String) -> [ProbeAction] {
        guard step != .done else { return [] }
        if step == .banner {
            if line.hasPrefix("* OK") || line.hasPrefix("* PREAUTH") {
                banner = line
                if let caps = Self.imapCapabilities(inCode: line) { capabilities = caps }
                step = .capabilities
                return [.send(capabilityCommand())]
            }
            return fail("banner: \(Self.excerpt(line))")
        }
        if line.hasPrefix("* ") {
            if line.uppercased().hasPrefix("* CAPABILITY ") {
                capabilities = line.dropFirst("* CAPABILITY ".count).split(separator: " ").map(String.init)
            } else if line.uppercased().hasPrefix("* BYE") && step != .quit {
                return fail("server closed: \(Self.excerpt(line))")
            }
            return []
        }
        guard line.hasPrefix(currentTag + " ") else {
            // A continuation request or another tag: nothing the probe asked for.
            return step == .quit ? [] : fail("unexpected line: \(Self.excerpt(line))")
        }
        let rest = line.dropFirst(currentTag.count + 1)
        let ok = rest.uppercased().hasPrefix("OK")
        switch step {
        case .capabilities:
            guard ok else { return fail("CAPABILITY: \(Self.excerpt(line))") }
            return afterCapabilities()
        case .startTLS:
            guard ok else { return fail("STARTTLS: \(Self.excerpt(line))") }
            step = .waitingForTLS
            return [.startTLS]
        case .login:
            guard ok else { return fail("login failed: \(Self.excerpt(line))") }
            return quit()
        case .quit:
            guard ok else { return fail("LOGOUT: \(Self.excerpt(line))") }
            return finish(success)
        case .banner, .user, .waitingForTLS, .done:
            return fail("unexpected line: \(Self.excerpt(line))")
        }
    }

    /// The capabilities in a greeting's response code, `* OK [CAPABILITY IMAP4rev1 …] …`.
    static func imapCapabilities(inCode line: String) -> [String]? {
        guard let open = line.range(of: "[CAPABILITY ", options: .caseInsensitive),
            let close = line[open.upperBound...].firstIndex(of: "]")
        else { return nil }
        return line[open.upperBound..<close].split(separator: " ").map(String.init)
    }

    // MARK: POP3 (RFC 1939 §3: "+OK"/"-ERR"; RFC 2449 §5: CAPA's list ends with ".")

    private mutating func pop3(_ line: String) -> [ProbeAction] {
        guard step != .done else { return [] }
        if inCapaList {
            if line == "." {
                inCapaList = false
                capabilities = pending
                pending = []
                return afterCapabilities()
            }
            guard pending.count < Self.maxReplyLines else { return fail("CAPA list longer than \(Self.maxReplyLines) lines") }
            pending.append(line.hasPrefix("..") ? String(line.dropFirst()) : line)
            return []
        }
        let ok = line.hasPrefix("+OK")
        switch step {
        case .banner:
            guard ok else { return fail("banner: \(Self.excerpt(line))") }
            banner = line
            step = .capabilities
            return [.send(capabilityCommand())]
        case .capabilities:
            guard ok else {
                // CAPA is optional (RFC 2449 §5): without it, STLS cannot be known to work.
                capabilities = []
                return afterCapabilities()
            }
            inCapaList = true
            pending = []
            return []
        case .startTLS:
            guard ok else { return fail("STLS: \(Self.excerpt(line))") }
            step = .waitingForTLS
            return [.startTLS]
        case .user:
            guard ok, let credentials = options.credentials else { return fail("login failed: \(Self.excerpt(line))") }
            step = .login
            return [.send("PASS " + credentials.password)]
        case .login:
            guard ok else { return fail("login failed: \(Self.excerpt(line))") }
            return quit()
        case .quit:
            guard ok else { return fail("QUIT: \(Self.excerpt(line))") }
            return finish(success)
        case .waitingForTLS, .done:
            return fail("unexpected line: \(Self.excerpt(line))")
        }
    }

    /// A server line quoted in a result: printable, at most 80 characters.
    static func excerpt(_ line: String) -> String {
        let printable = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return printable.count > 80 ? String(printable.prefix(77)) + "..." : printable
    }
}
