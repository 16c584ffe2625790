/// The client side of the dialogue the pull needs (RFC 9051 §6): one command at a time, its untagged
/// responses handed to the caller as they are parsed (a FETCH batch is never held whole), then its tagged
/// status. A tagged NO or BAD becomes an error naming the command.
final class IMAPPullClient {
    private let transport: IMAPPullTransport
    private var reader: IMAPResponseReader
    private var counter = 0

    private init(transport: IMAPPullTransport, reader: IMAPResponseReader) {
        self.transport = transport
        self.reader = reader
    }

    /// Connects, reads the greeting, and for `starttls` upgrades the connection (RFC 9051 §6.2.1).
    static func connect(
        host: String, port: Int, tls: IMAPPullTLS, insecure: Bool, maxMessageSize: Int, timeout: Double = 30
    ) async throws -> IMAPPullClient {
        let transport = try await IMAPPullTransport.connect(
            host: host, port: port, implicitTLS: tls == .implicit, insecure: insecure, timeout: timeout)
        let client = IMAPPullClient(transport: transport, reader: IMAPResponseReader(maxLiteralSize: maxMessageSize))
        do {
            guard case .untaggedStatus(let status, _, let text) = try await client.nextResponse() else {
                throw IMAPPullError("the server did not greet")
            }
            guard status == "OK" else { throw IMAPPullError("the server greeted with \(status) \(text)") }
            if tls == .starttls {
                try await client.run("STARTTLS")
                // The reader too may hold plaintext bytes that came after the go-ahead: start afresh.
                client.reader = IMAPResponseReader(maxLiteralSize: maxMessageSize)
                try await client.transport.startTLS()
            }
        } catch {
            await transport.close()
            throw error
        }
        return client
    }

    /// `LOGIN` with both arguments as quoted strings, or literals when they hold 8-bit bytes (RFC 9051 §6.2.3).
    func login(user: String, password: String) async throws {
        try await run([.text("LOGIN "), Self.astring(user), .text(" "), Self.astring(password)], redact: true)
    }

    /// Runs one command: `tag command CRLF`, with literals sent after the server's `+` (RFC 9051 §7.6).
    func run(
        _ command: String, onUntagged: (IMAPPullResponse) async throws -> Void = { _ in }
    ) async throws {
        try await run([.text(command)], redact: false, onUntagged: onUntagged)
    }

    func logout() async {
        try? await run("LOGOUT")
        await transport.close()
    }

    func close() async { await transport.close() }

    enum Piece {
        case text(String)
        case literal([UInt8])
    }

    /// A quoted string (RFC 9051 §4.3) or, for 8-bit text or CR/LF, a literal.
    static func astring(_ text: String) -> Piece {
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ (0x01...0x7F).contains($0) && $0 != 0x0D && $0 != 0x0A }) {
            var out = "\""
            for character in text {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.append(character)
            }
            return .text(out + "\"")
        }
        return .literal(bytes)
    }

    /// Runs one command made of text and literal pieces; `redact` keeps it out of error messages.
    func run(
        _ pieces: [Piece], redact: Bool, onUntagged: (IMAPPullResponse) async throws -> Void = { _ in }
    ) async throws {
        counter += 1
        let tag = "p\(counter)"
        var line = Array("\(tag) ".utf8)
        let name = redact ? "LOGIN" : pieces.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        for piece in pieces {
            switch piece {
            case .text(let text): line += Array(text.utf8)
            case .literal(let bytes):
                line += Array("{\(bytes.count)}\r\n".utf8)
                try await transport.send(line)
                line = bytes
                while true {
                    let response = try await nextResponse()
                    if response == .continuation { break }
                    if case .tagged(_, let status, _, let text) = response {
                        throw IMAPPullError("\(name): \(status) \(text)")
                    }
                    try await onUntagged(response)
                }
            }
        }
        try await transport.send(line + [0x0D, 0x0A])
        while true {
            let response = try await nextResponse()
            if case .tagged(let got, let status, _, let text) = response, got == tag {
                guard status == "OK" else { throw IMAPPullError("\(name): \(status) \(text)") }
                return
            }
            if case .untaggedStatus("BYE", _, let text) = response, !name.hasPrefix("LOGOUT") {
                throw IMAPPullError("the server closed the session: \(text)")
            }
            try await onUntagged(response)
        }
    }

    private func nextResponse() async throws -> IMAPPullResponse {
        while true {
            if let response = try reader.next() { return response }
            guard let bytes = try await transport.receive() else {
                throw IMAPPullError("the server closed the connection")
            }
            reader.append(bytes)
        }
    }
}
