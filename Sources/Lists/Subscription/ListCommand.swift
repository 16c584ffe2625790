import MIME

/// A command mailed to a list's `-request` address, one per line: the Subject first, then the
/// body's lines (Mailman's email commands). Reading stops at `end`, at a signature (`-- `), or at
/// the first line that is not a command once one was found.
public enum ListCommand: Sendable, Hashable {
    case subscribe
    case unsubscribe
    case confirm(cookie: String)
    case help

    /// At most this many commands are carried out per message.
    public static let limit = 10

    /// The commands of a message to `-request` (Subject, then the first text part).
    public static func parse(subject: String, body: String) -> [ListCommand] {
        var commands: [ListCommand] = []
        if let command = parse(line: subject) { commands.append(command) }
        // A reply to a confirmation keeps the cookie in its Subject ("Re: confirm …").
        if commands.isEmpty, let cookie = ListCookie.find(in: subject) { commands.append(.confirm(cookie: cookie)) }
        for line in body.split(whereSeparator: \.isNewline).prefix(50) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix(">") { continue }
            if text == "--" || text.lowercased() == "end" || text.lowercased() == "stop" { break }
            guard let command = parse(line: text) else {
                if commands.isEmpty { continue } else { break }
            }
            if !commands.contains(command) { commands.append(command) }
            if commands.count == limit { break }
        }
        return commands
    }

    /// One line: `subscribe`/`join`, `unsubscribe`/`leave`/`remove`, `confirm COOKIE`, `help`
    /// (after any `Re:`), with nothing else but a short tail Mailman allows (`subscribe digest`).
    static func parse(line: String) -> ListCommand? {
        var words = line.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).prefix(8).map(String.init)
        while let first = words.first, first == "re:" || first == "fwd:" || first == "aw:" { words.removeFirst() }
        guard let verb = words.first, words.count <= 3 else { return nil }
        switch verb {
        case "subscribe", "join": return .subscribe
        case "unsubscribe", "leave", "remove": return .unsubscribe
        case "help", "info": return words.count == 1 ? .help : nil
        case "confirm":
            guard words.count >= 2, ListCookie.isWellFormed(words[1]) else { return nil }
            return .confirm(cookie: words[1])
        default: return nil
        }
    }
}

/// What a reply to a notice asks for: the first line of its own text (not the quoted notice).
public enum ReplyIntent: Sendable, Hashable {
    /// The default: the request is granted, the held post approved.
    case approve
    /// `reject REASON`: a held post is refused with a notice to its author.
    case reject(reason: String)
    /// `discard`: a held post is dropped; a request declined.
    case discard

    public static func parse(body: String) -> ReplyIntent {
        for line in body.split(whereSeparator: \.isNewline).prefix(50) {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text.hasPrefix(">") { break }
            let lower = text.lowercased()
            for word in ["reject", "deny"] where lower.hasPrefix(word) {
                let reason = text.dropFirst(word.count).drop { $0 == ":" || $0 == " " || $0 == "\t" }
                return .reject(reason: String(reason.prefix(500)))
            }
            if lower.hasPrefix("discard") || lower.hasPrefix("decline") { return .discard }
            return .approve
        }
        return .approve
    }
}
