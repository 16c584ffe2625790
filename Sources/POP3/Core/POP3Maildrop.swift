/// One message of a maildrop snapshot.
public struct POP3Message: Sendable, Hashable {
    public var uid: UInt32
    /// Exact bytes of the stored file (stored with CRLF line ends, so this is the RFC 1939 §11
    /// size as transmitted before byte-stuffing).
    public var size: Int64
    /// Absolute path of the message file.
    public var path: String
    /// The unique-id the message had on a server it was imported from (`posta import`), kept so that
    /// POP3 clients do not fetch it again; nil for Posta's own.
    public var importedUIDL: String?

    public init(uid: UInt32, size: Int64, path: String, importedUIDL: String? = nil) {
        self.uid = uid
        self.size = size
        self.path = path
        self.importedUIDL = importedUIDL
    }
}

/// The snapshot of INBOX taken at login (RFC 1939 §5: message numbers 1…n stay fixed for the
/// session). Messages are in UID order; message n is `messages[n - 1]`.
public struct POP3Maildrop: Sendable, Hashable {
    public var mailboxID: Int64
    public var uidValidity: UInt32
    public var messages: [POP3Message]

    public init(mailboxID: Int64, uidValidity: UInt32, messages: [POP3Message]) {
        self.mailboxID = mailboxID
        self.uidValidity = uidValidity
        self.messages = messages.sorted { $0.uid < $1.uid }
    }

    /// RFC 1939 §7 unique-id: the imported one when the message has it (checked at import: 1 to 70
    /// characters in 0x21…0x7E), else `<uidvalidity>.<uid>`, stable for the message's lifetime and
    /// never reused in the mailbox (UIDs are never reused within one UIDVALIDITY, which never
    /// repeats for the account). At most 21 characters, all in 0x21…0x7E.
    public func uniqueID(of message: POP3Message) -> String {
        message.importedUIDL ?? "\(uidValidity).\(message.uid)"
    }
}
