/// The notification text of a bounce as lines, ready for the text formats: cut where the returned message
/// starts (its addresses are the sender's), each line also lower-cased for matching phrases.
struct BounceText {
    /// Lines as written, for reading addresses.
    let lines: [Substring]
    /// The same lines lower-cased, for matching phrases.
    let lowered: [String]
    /// The returned-message marker that ended the notice, if one did (qmail's is its signature).
    let cutAt: String?

    /// Phrases that introduce the copy of the original message in text bounces; nothing after them is read.
    static let returnedMessageMarkers = [
        "below this line is a copy of the message",
        "this is a copy of the message",
        "original message follows",
        "unsent message follows",
        "returned message follows",
        "----- original message -----",
        "-----original message-----",
        "------- returned mail",
        "----- message header follows",
        "--- original message",
        "original message details",
        "original message headers",
        "start of returned message",
    ]

    init(_ text: String) {
        var lines: [Substring] = []
        var lowered: [String] = []
        var cutAt: String?
        // CRLF is one Character in Swift: splitting at every newline character covers CRLF, LF and CR.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let low = line.lowercased()
            if let marker = Self.returnedMessageMarkers.first(where: low.contains) {
                cutAt = marker
                break
            }
            lines.append(line)
            lowered.append(low)
        }
        self.lines = lines
        self.lowered = lowered
        self.cutAt = cutAt
    }

    /// Whether any line contains one of `phrases` (lower-case).
    func contains(anyOf phrases: [String]) -> Bool {
        cutAt.map(phrases.contains) == true || lowered.contains { line in phrases.contains(where: line.contains) }
    }

    /// Header fields of a returned message or of the notice itself ("From: MAILER-DAEMON@…") name
    /// senders and message IDs, not failed recipients.
    static func isHeaderLine(_ lowered: String) -> Bool {
        let trimmed = lowered.drop { $0 == " " || $0 == "\t" }
        return headerLinePrefixes.contains { trimmed.hasPrefix($0) }
    }

    private static let headerLinePrefixes = [
        "from:", "sender:", "reply-to:", "return-path:", "received:", "message-id:", "in-reply-to:", "references:",
        "date:", "subject:", "errors-to:", "list-", "x-", "dkim-signature:", "delivered-to:",
    ]
}
