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
    public func check(_ message: MIMEMessage) -> FilterReply? {
        if headerChecks, let problem = headerProblem(message) {
            return FilterReply(550, "5.6.0", "Message refused: \(problem)")
        }
        if let part = blockedPart(message.root) {
            return FilterReply(554, "5.7.1", "Message refused: attachment \(part) not accepted here")
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

    /// A description of the first refused part, e.g. `"x.exe"` or `(application/x-msdownload)`.
    func blockedPart(_ entity: MIMEEntity) -> String? {
        if blockedTypes.contains(entity.contentType.mimeType.lowercased()) {
            return "(\(Self.printable(entity.contentType.mimeType.lowercased())))"
        }
        if let name = entity.filename, let dot = name.lastIndex(of: "."),
            blockedExtensions.contains(name[name.index(after: dot)...].lowercased().trimmingCharacters(in: " "))
        {
            return "\"\(Self.printable(name))\""
        }
        switch entity.content {
        case .single: return nil
        case .message(let inner): return blockedPart(inner)
        case .multipart(let multipart): return multipart.parts.lazy.compactMap(blockedPart).first
        }
    }

    static func printable(_ text: String) -> String { ClamdInstream.printable(text) }
}

/// The built-in rules as a chain step.
struct ContentRulesScanner: ContentScanner {
    let rules: ContentRules
    /// Largest message the rules parse (bigger ones are checked on their first bytes only).
    let maxBytes: Int
    var name: String { "content rules" }
    var timeout: Duration { .seconds(60) }
    var onFailure: FilterSettings.FailurePolicy { .tempfail }

    func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict {
        let bytes = try MessageFile.read(message.path, limit: maxBytes)
        if let refusal = rules.check(MIMEMessage(bytes)) { return .reject(refusal) }
        return .accept(headers: [])
    }
}
