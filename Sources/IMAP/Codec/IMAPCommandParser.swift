/// Parses command frames (one command line with its literals, as produced by ``IMAPFramer``, without
/// the final CRLF) into ``IMAPCommand`` values (RFC 9051 §9 `command`).
public struct IMAPCommandParser: Sendable {
    /// Allow 8-bit UTF-8 in quoted strings (RFC 6855 §3, after `ENABLE UTF8=ACCEPT` or IMAP4rev2).
    public var utf8Accept: Bool
    /// The deepest nesting of parentheses and search keys accepted.
    public var maxDepth: Int

    public init(utf8Accept: Bool = false, maxDepth: Int = 32) {
        self.utf8Accept = utf8Accept
        self.maxDepth = maxDepth
    }

    /// Parses one frame. Errors carry the tag when it could be read.
    public func parse(_ frame: [UInt8]) throws(IMAPParseError) -> IMAPCommand {
        var reader = IMAPByteReader(frame, utf8: utf8Accept, maxDepth: maxDepth)
        let tagBytes = reader.take(while: IMAPCharacter.isTagChar)
        guard !tagBytes.isEmpty, reader.peek() == UInt8(ascii: " ") else {
            throw IMAPParseError(tag: nil, reason: "missing or invalid tag")
        }
        let tag = String(decoding: tagBytes, as: UTF8.self)
        reader.index += 1
        let name: String
        do throws(IMAPParseError) {
            name = try reader.keyword("a command name")
        } catch {
            throw IMAPParseError(tag: tag, reason: error.reason)
        }
        do throws(IMAPParseError) {
            return IMAPCommand(tag: tag, kind: try reader.command(name))
        } catch {
            throw IMAPParseError(tag: tag, reason: "\(name): \(error.reason)")
        }
    }

    /// Reads the tag of a frame, if it has a valid one (for replies to frames the framer refused).
    public static func tag(of frame: some Collection<UInt8>) -> String? {
        var tag: [UInt8] = []
        for byte in frame {
            if byte == UInt8(ascii: " ") { return tag.isEmpty ? nil : String(decoding: tag, as: UTF8.self) }
            guard IMAPCharacter.isTagChar(byte), tag.count < 256 else { return nil }
            tag.append(byte)
        }
        return nil
    }
}

extension IMAPByteReader {
    /// Everything after the command name.
    mutating func command(_ name: String) throws(IMAPParseError) -> IMAPCommandKind {
        switch name {
        case "CAPABILITY":
            try end()
            return .capability
        case "NOOP":
            try end()
            return .noop
        case "LOGOUT":
            try end()
            return .logout
        case "STARTTLS":
            try end()
            return .startTLS
        case "NAMESPACE":
            try end()
            return .namespace
        case "IDLE":
            try end()
            return .idle
        case "CHECK":
            try end()
            return .check
        case "CLOSE":
            try end()
            return .close
        case "UNSELECT":
            try end()
            return .unselect
        case "EXPUNGE":
            try end()
            return .expunge
        case "AUTHENTICATE": return try authenticate()
        case "LOGIN":
            try space()
            let user = try astring()
            try space()
            let password = try astring()
            try end()
            return .login(userID: user, password: password)
        case "ENABLE":
            var capabilities: [String] = []
            while skip(UInt8(ascii: " ")) { capabilities.append(try keyword("a capability")) }
            guard !capabilities.isEmpty else { throw IMAPParseError("expected a capability") }
            try end()
            return .enable(capabilities)
        case "SELECT", "EXAMINE":
            try space()
            let mailbox = try mailbox()
            let parameters = try selectParameters()
            try end()
            return name == "SELECT" ? .select(mailbox, parameters) : .examine(mailbox, parameters)
        case "CREATE": return try create()
        case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
            try space()
            let mailbox = try mailbox()
            try end()
            switch name {
            case "DELETE": return .delete(mailbox)
            case "SUBSCRIBE": return .subscribe(mailbox)
            default: return .unsubscribe(mailbox)
            }
        case "RENAME":
            try space()
            let from = try mailbox()
            try space()
            let to = try mailbox()
            try end()
            return .rename(from: from, to: to)
        case "LIST": return try list()
        case "LSUB":
            try space()
            let reference = try mailbox()
            try space()
            let pattern = try listMailbox()
            try end()
            return .lsub(reference: reference, pattern: pattern)
        case "STATUS":
            try space()
            let mailbox = try mailbox()
            try space()
            let attributes = try statusAttributes()
            try end()
            return .status(mailbox, attributes)
        case "APPEND": return try append()
        case "ID": return try id()
        case "SEARCH": return try search(uid: false)
        case "FETCH": return try fetch(uid: false)
        case "STORE": return try store(uid: false)
        case "COPY", "MOVE": return try copyOrMove(name, uid: false)
        case "UID": return try uid()
        case "GETQUOTA":
            try space()
            let root = try astring()
            try end()
            return .getQuota(root: root)
        case "GETQUOTAROOT":
            try space()
            let mailbox = try mailbox()
            try end()
            return .getQuotaRoot(mailbox)
        case "SETQUOTA": return try setQuota()
        default: return .unknown(name)
        }
    }

    /// `AUTHENTICATE SP auth-type [SP initial-resp]` (RFC 9051 §6.2.2, RFC 4959 §7).
    private mutating func authenticate() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let mechanism = try keyword("a SASL mechanism")
        var initial: String?
        if skip(UInt8(ascii: " ")) {
            let text = take(while: { IMAPCharacter.isBase64($0) || $0 == UInt8(ascii: "=") })
            guard !text.isEmpty else { throw IMAPParseError("invalid initial response") }
            initial = String(decoding: text, as: UTF8.self)
        }
        try end()
        return .authenticate(mechanism: mechanism, initialResponse: initial)
    }

    /// `UID SP (copy / move / fetch / search / store / uid-expunge)` (RFC 9051 §6.4.9).
    private mutating func uid() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let name = try keyword("a UID command")
        switch name {
        case "FETCH": return try fetch(uid: true)
        case "SEARCH": return try search(uid: true)
        case "STORE": return try store(uid: true)
        case "COPY", "MOVE": return try copyOrMove(name, uid: true)
        case "EXPUNGE":
            try space()
            let set = try sequenceSet()
            try end()
            return .uidExpunge(set)
        default: throw IMAPParseError("unknown UID command")
        }
    }

    private mutating func copyOrMove(_ name: String, uid: Bool) throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let set = try sequenceSet()
        try space()
        let mailbox = try mailbox()
        try end()
        return name == "COPY" ? .copy(set, mailbox, uid: uid) : .move(set, mailbox, uid: uid)
    }

    /// `ID SP ("(" *(string SP nstring) ")" / nil)` (RFC 2971 §4).
    private mutating func id() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        if skipKeyword("NIL") {
            try end()
            return .id(nil)
        }
        let fields = try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in
            let key = try reader.string()
            try reader.space()
            return IMAPIDField(key: key, value: try reader.nstring())
        }
        try end()
        return .id(fields)
    }

    /// `SETQUOTA SP quota-root-name SP "(" [resource-name SP resource-limit ...] ")"` (RFC 9208 §4.3).
    private mutating func setQuota() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let root = try astring()
        try space()
        let limits = try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in
            let resource = try reader.keyword("a resource name")
            try reader.space()
            return IMAPQuotaLimit(resource: resource, limit: try reader.number64())
        }
        try end()
        return .setQuota(root: root, limits)
    }
}
