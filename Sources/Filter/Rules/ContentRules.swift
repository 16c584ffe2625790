import Core
import MIME

/// The built-in checks: header sanity (RFC 5322 §3.6 required fields, Message-ID, MIME structure)
/// and attachments refused by file name extension or MIME type. Pure: runs on parsed bytes.
public struct ContentRules: Sendable {
    public var headerChecks: Bool
    /// Lower-case extensions without the dot.
    public var blockedExtensions: Set<String>
    /// Lower-case `type/subtype`.
    public var blockedTypes: Set<String>

    public init(headerChecks: Bool, blockedExtensions: [String], blockedTypes: [String]) {
        self.headerChecks = headerChecks
        self.blockedExtensions = Set(blockedExtensions.map { $0.lowercased() })
        self.blockedTypes = Set(blockedTypes.map { $0.lowercased() })
    }

    public var isEmpty: Bool { !headerChecks && blockedExtensions.isEmpty && blockedTypes.isEmpty }

    /// The refusal for `message`, or nil when it passes.
    public func check(_ message: MIMEMessage) -> DeliveryReply? {
        if headerChecks, let problem = headerProblem(message) {
            return DeliveryReply(550, .init(5, 6, 0), "Message refused: \(problem)")
        }
        if let part = blockedPart(message.root, in: message) {
            return DeliveryReply(554, .init(5, 7, 1), "Message refused: attachment \(part) not accepted here")
        }
        return nil
    }

    func headerProblem(_ message: MIMEMessage) -> String? {
        for name in ["From", "Date", "Message-ID"] where message.header.field(name) == nil {
            return "missing \(name) header field"
        }
        if let broken = malformedMultipart(message.root) { return "malformed MIME structure (\(broken))" }
        return nil
    }

    /// A multipart without a boundary, or whose closing delimiter never comes.
    func malformedMultipart(_ entity: MIMEEntity) -> String? {
        switch entity.content {
        case .single:
            return entity.contentType.isMultipart ? "\(entity.contentType.mimeType) without boundary" : nil
        case .message(let inner):
            return malformedMultipart(inner)
        case .multipart(let multipart):
            if !multipart.isTerminated { return "\(entity.contentType.mimeType) not terminated" }
            return multipart.parts.lazy.compactMap(malformedMultipart).first
        }
    }

    /// A description of the first refused part, e.g. `"x.exe"` or `(application/x-msdownload)`: a part
    /// is refused when any type it declares is blocked, or any name a client could show for it
    /// (`MIMEEntity.attachmentNames`, uuencode/yEnc names in text parts) has a blocked extension as
    /// `AttachmentName` reads it. Encapsulated messages are searched too, also when they carry a
    /// transfer encoding.
    func blockedPart(_ entity: MIMEEntity, in message: MIMEMessage) -> String? {
        for type in entity.declaredMIMETypes where blockedTypes.contains(type) { return "(\(Self.printable(type)))" }
        for name in entity.attachmentNames + message.embeddedFileNames(in: entity) {
            if let ext = AttachmentName.fileExtension(of: name), blockedExtensions.contains(ext) {
                return "\"\(Self.printable(name))\""
            }
        }
        switch entity.content {
        case .single:
            guard let inner = message.encodedEncapsulatedMessage(in: entity) else { return nil }
            return blockedPart(inner.root, in: inner)
        case .message(let inner): return blockedPart(inner, in: message)
        case .multipart(let multipart): return multipart.parts.lazy.compactMap { blockedPart($0, in: message) }.first
        }
    }

    /// The parse limits a message met, including those of messages encapsulated with a transfer encoding
    /// (which the rules parse separately): beyond them the rules have not seen every part.
    func exceededLimits(_ message: MIMEMessage) -> MIMEParseLimits.Exceeded {
        var exceeded = message.exceededLimits
        func visit(_ entity: MIMEEntity) {
            switch entity.content {
            case .single:
                if let inner = message.encodedEncapsulatedMessage(in: entity) { exceeded.formUnion(exceededLimits(inner)) }
            case .message(let inner): visit(inner)
            case .multipart(let multipart): multipart.parts.forEach(visit)
            }
        }
        visit(message.root)
        return exceeded
    }

    static func printable(_ text: String) -> String { ClamdInstream.printable(text) }
}

/// The built-in rules as a chain step. A message the rules cannot see whole — its MIME tree exceeds the
/// parser's limits (`MIMEParseLimits`), or it is larger than `maxBytes` — is suspicious: an attachment
/// could hide beyond what was parsed. `limitAction` decides: refused (`554 5.7.1`) or quarantined.
struct ContentRulesScanner: ContentScanner {
    let rules: ContentRules
    /// Largest message the rules parse.
    let maxBytes: Int
    var limitAction: FilterSettings.Action = .reject
    /// Room above `maxBytes` for the trace fields added on receipt (the spool file holds them too).
    static let traceAllowance = 64 * 1024
    var name: String { "content rules" }
    var timeout: Duration { .seconds(60) }
    var onFailure: FilterSettings.FailurePolicy { .tempfail }

    func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict {
        let limit = maxBytes + Self.traceAllowance
        let bytes = try MessageFile.read(message.path, limit: limit + 1)
        let truncated = bytes.count > limit
        let parsed = MIMEMessage(truncated ? Array(bytes.prefix(limit)) : bytes)
        if let refusal = rules.check(parsed) { return .reject(refusal) }
        // The MIME limits matter only to attachment rules (they cannot see past them).
        guard !rules.blockedExtensions.isEmpty || !rules.blockedTypes.isEmpty else { return .accept(headers: []) }
        let exceeded = rules.exceededLimits(parsed)
        guard !exceeded.isEmpty || truncated else { return .accept(headers: []) }
        let reason = truncated ? "message larger than \(limit) bytes" : "MIME structure exceeds the parser's limits (\(exceeded))"
        switch limitAction {
        case .reject:
            return .reject(DeliveryReply(554, .init(5, 7, 1), "Message refused: \(reason), attachments cannot be checked"))
        case .quarantine: return .quarantine(reason: reason, headers: [])
        }
    }
}
