/// What the session receives from its connection, one at a time, in order.
public enum IMAPInput: Sendable, Equatable {
    /// A complete command (line plus literals), not yet parsed: the session parses it with the
    /// options in force when it gets to it (UTF8=ACCEPT may have been enabled meanwhile).
    case frame([UInt8])
    /// A line read in line mode (AUTHENTICATE data, IDLE's `DONE`).
    case line([UInt8])
    /// A command the framer refused (too long, literal too big).
    case framingError(IMAPFramingError)
    /// A watched mailbox changed (delivered while the session IDLEs).
    case mailboxChanged
    /// The connection was idle past the listener's timeout.
    case idle
    /// The server is shutting down.
    case shutdown
    /// The account was disabled or its password changed (`AccountSessions`): the session ends.
    case revoked
    /// The client closed the connection (or it failed): nothing more will come.
    case closed
}

/// The session's side of its connection. The NIO adapter implements it; tests use an in-memory
/// one. Everything the session writes goes through `send`, in order.
public protocol IMAPTransport: Sendable {
    /// The next input; suspends until one arrives.
    func next() async -> IMAPInput
    /// Makes the next line arrive as `.line` (call before sending the continuation request).
    func expectLine() async
    /// The client logged in: the connection may accept literals up to the APPEND limit.
    func authenticated() async
    /// Writes and flushes; returns once the bytes are handed to the socket (back-pressure).
    func send(_ bytes: [UInt8]) async throws
    /// Sends `response` unencrypted, then starts TLS (RFC 9051 §6.2.1): bytes the client sent
    /// after the STARTTLS command and before the handshake are discarded (RFC 2595 §3.1).
    func startTLS(after response: [UInt8]) async throws
    /// Adds an input from outside the connection (a mailbox change during IDLE).
    func inject(_ input: IMAPInput)
    /// Closes the connection after what was sent is flushed.
    func close() async
}
