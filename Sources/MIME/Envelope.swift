/// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2) without syntax. Strings are the raw
/// unfolded header values (encoded words not decoded); nil when the field is absent.
public struct Envelope: Sendable, Hashable {
    public var date: String?
    public var subject: String?
    /// Address lists are nil when the field is absent or holds no address.
    public var from: [EnvelopeAddress]?
    /// Defaults to `from` when absent (RFC 3501 §7.4.2).
    public var sender: [EnvelopeAddress]?
    /// Defaults to `from` when absent (RFC 3501 §7.4.2).
    public var replyTo: [EnvelopeAddress]?
    public var to: [EnvelopeAddress]?
    public var cc: [EnvelopeAddress]?
    public var bcc: [EnvelopeAddress]?
    public var inReplyTo: String?
    public var messageID: String?

    public init(
        date: String? = nil, subject: String? = nil, from: [EnvelopeAddress]? = nil,
        sender: [EnvelopeAddress]? = nil, replyTo: [EnvelopeAddress]? = nil, to: [EnvelopeAddress]? = nil,
        cc: [EnvelopeAddress]? = nil, bcc: [EnvelopeAddress]? = nil, inReplyTo: String? = nil,
        messageID: String? = nil
    ) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }

    /// The envelope of a message header (first occurrence of each field).
    public init(header: Header) {
        func addresses(_ name: String) -> [EnvelopeAddress]? {
            guard let field = header.field(name) else { return nil }
            let list = AddressListParser.parse(field.valueBytes)
            return list.isEmpty ? nil : list
        }
        let from = addresses("From")
        self.init(
            date: header["Date"], subject: header["Subject"], from: from,
            sender: addresses("Sender") ?? from, replyTo: addresses("Reply-To") ?? from,
            to: addresses("To"), cc: addresses("Cc"), bcc: addresses("Bcc"),
            inReplyTo: header["In-Reply-To"], messageID: header["Message-ID"])
    }
}

extension EnvelopeAddress {
    /// Parses an RFC 5322 address list (From, To, …) from a raw field value; never fails.
    public static func parseList(_ value: [UInt8]) -> [EnvelopeAddress] { AddressListParser.parse(value) }
}

extension MIMEMessage {
    /// The envelope of the top-level message.
    public var envelope: Envelope { Envelope(header: root.header) }
}
