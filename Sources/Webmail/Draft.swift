import MIME

/// A message being written: what the compose form holds.
public struct Draft: Sendable {
    /// Address lists as typed (`Name <a@b>, c@d`).
    public var to = ""
    public var cc = ""
    public var bcc = ""
    public var subject = ""
    public var body = ""
    /// The message this answers or forwards (`\Answered` or `$Forwarded` is set on it once sent).
    public var origin: Origin?
    /// RFC 5322 §3.6.4 fields of a reply.
    public var inReplyTo: String?
    public var references: [String] = []
    public var attachments: [DraftAttachment] = []
    /// Parts of stored messages attached by reference (a forward's attachments, the original as a
    /// whole, a resumed draft's files): read when the draft is sent or saved.
    public var kept: [KeptPart] = []
    /// The Drafts message this draft replaces when saved again or sent.
    public var draftUID: UInt32?

    public init() {}

    public struct Origin: Sendable, Hashable {
        public enum Kind: String, Sendable { case reply, forward }
        public var folder: String
        public var uid: UInt32
        public var kind: Kind

        public init(folder: String, uid: UInt32, kind: Kind) {
            self.folder = folder
            self.uid = uid
            self.kind = kind
        }
    }
}

/// A file attached to a draft: what the composer attaches.
public typealias DraftAttachment = MessageComposer.Attachment

/// How the compose page starts.
public enum ComposeMode: String, Sendable, CaseIterable {
    case new
    case reply
    /// Reply to the sender and every other recipient.
    case all
    /// Forward with the text quoted and the attachments attached.
    case forward
    /// Forward the whole message as a message/rfc822 attachment.
    case attach
    /// Continue a saved draft.
    case draft
}

/// A part of a stored message of the same account, attached by reference.
public struct KeptPart: Sendable, Hashable {
    public var folder: String
    public var uid: UInt32
    /// The part number (`2`, `1.3`); empty for the whole message (message/rfc822).
    public var part: String
    public var filename: String
    public var mimeType: String

    public init(folder: String, uid: UInt32, part: String, filename: String, mimeType: String) {
        self.folder = folder
        self.uid = uid
        self.part = part
        self.filename = filename
        self.mimeType = mimeType
    }
}
