import Core

/// The spool file of the message being received: opened by the adapter when the session asks
/// (`.openSpool`, at the first octet of content), filled with `.messageData`, and handed to the
/// end-of-data effect in `SMTPMessage` — or dropped with `.discardSpool`. The session carries the
/// handle; only the adapter writes through it, on the connection's event loop.
public final class SMTPSpool: @unchecked Sendable {
    /// The queue id, as `Received:` and the 250 reply name it.
    public let id: String
    public let file: DurableFile
    /// A write failed: the file is discarded, and the end of data is answered with a temporary
    /// failure (the client may send again; nothing was accepted).
    public private(set) var failed = false
    /// Removes forged `Authentication-Results` fields from what is written (RFC 8601 §5).
    private var resultsFilter: AuthenticationResultsFilter?

    public init(id: String, file: DurableFile, removingResultsOf authservID: String? = nil) {
        self.id = id
        self.file = file
        self.resultsFilter = authservID.map(AuthenticationResultsFilter.init)
    }

    /// Appends content; after a failure nothing more is written.
    public func write(_ bytes: [UInt8]) throws(FileError) {
        guard !failed else { return }
        try store(resultsFilter?.filter(bytes) ?? bytes)
    }

    /// The end of the content: writes what the filter still holds. Call once, before the file
    /// is read or committed.
    public func finish() throws(FileError) {
        guard !failed, var filter = resultsFilter else { return }
        resultsFilter = nil
        try store(filter.finish())
    }

    private func store(_ bytes: [UInt8]) throws(FileError) {
        guard !bytes.isEmpty else { return }
        do {
            try file.write(bytes)
        } catch {
            failed = true
            file.discard()
            throw error
        }
    }

    public func discard() {
        file.discard()
    }
}

extension SMTPSpool: Equatable {
    public static func == (lhs: SMTPSpool, rhs: SMTPSpool) -> Bool { lhs === rhs }
}

/// What the `Received:` field of a message says about its transaction (RFC 5321 §4.4); the
/// adapter adds the queue id, the host name and the date.
public struct SMTPTrace: Sendable, Hashable {
    /// The HELO/EHLO/LHLO argument.
    public var heloName: String
    public var clientIP: String
    /// The `with` keyword (RFC 3848): `ESMTPS`, `UTF8SMTPSA`, `LMTP`, ….
    public var protocolName: String
    /// The TLS version in use (`TLSv1.3`), nil without TLS.
    public var tls: String?
    /// The only accepted recipient, for the `for` clause; nil when there are several.
    public var recipient: String?

    public init(heloName: String, clientIP: String, protocolName: String, tls: String? = nil, recipient: String? = nil) {
        self.heloName = heloName
        self.clientIP = clientIP
        self.protocolName = protocolName
        self.tls = tls
        self.recipient = recipient
    }
}
