import MIME

/// Which quoting of body lines that begin with `From ` the mbox file uses (RFC 4155 §2 and its appendix;
/// "mboxrd" and "mboxo" as described in qmail's mbox(5) and at jdebp.uk, "mbox formats").
public enum MboxVariant: Sendable, Hashable {
    /// `>From `, `>>From `, … lose one `>` when read: the quoting is reversible.
    case mboxrd
    /// Only `>From ` (one `>`) becomes `From `: the writer quoted `From ` but not `>From `, so the result is
    /// the best guess the format allows.
    case mboxo
    /// Nothing is unquoted: the writer relied on `Content-Length:` instead. Dovecot's mbox files are of this
    /// kind (it writes `Content-Length`, `X-UID`, `X-IMAPbase` and neither quotes nor unquotes `From `).
    case mboxcl2
}

/// One message of an mbox file.
public struct MboxMessage: Sendable, Hashable {
    /// The line of its From_ line.
    public var line: Int
    /// The From_ line's envelope sender (`MAILER-DAEMON` for bounces).
    public var sender: String
    /// The From_ line's date as seconds since 1970 (UTC): the IMAP INTERNALDATE.
    public var internalDate: Int64
    /// The message: `>From ` quoting undone, the mbox status fields removed (see ``MboxReader``), line ends as
    /// in the file.
    public var bytes: [UInt8]
    /// IMAP flags from `Status:`, `X-Status:`, `X-Keywords:`, `X-Mozilla-Status:` and `X-Mozilla-Keys:`.
    public var flags: [String]
    /// `X-UID:` (Dovecot, UW IMAP): the UID the message had.
    public var uid: UInt32?
}

/// `X-IMAPbase:` / `X-IMAP:` (Dovecot's and UW IMAP's mbox folder data): UIDVALIDITY, next UID (the last UID
/// they write plus one), keywords.
public struct MboxFolderData: Sendable, Hashable {
    public var uidValidity: UInt32
    public var nextUID: UInt32
    public var keywords: [String]
}

public enum MboxItem: Sendable, Hashable {
    case message(MboxMessage)
    /// The folder's UID data, from the first message's `X-IMAPbase:` or the pseudo message
    /// ("DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA", which is not returned as a message).
    case folderData(MboxFolderData)
    /// A message that is not returned (the reason says why), or a remark about the file.
    case problem(MigrationProblem)
}

/// Splits an mbox file into messages, incrementally: feed it the file in chunks of any size, get messages as
/// they complete. Memory is bounded by the largest message kept (``maxMessageSize``) plus one short line.
///
/// Rules (RFC 4155 §2 and Appendix A; the From_ line as qmail's mbox(5) describes it):
/// - A message starts at a line beginning `From ` that follows an empty line, or any such line before the first
///   message (writers put an empty line after every message and quote `From ` in bodies; requiring the empty
///   line keeps an unquoted `From ` in an mboxo paragraph inside its message).
/// - The From_ line is `From <sender> <date>`, the date in asctime(3) form `Www Mmm dd hh:mm[:ss] yyyy`, with an
///   optional numeric zone before or after the year and UUCP's ` remote from <host>` after it. A From_ line that
///   does not parse is a per-message problem with its line number; the message it starts is skipped.
/// - The empty line before the next From_ line is the separator, not part of the message.
/// - The last message is truncated, reported and skipped, when the file does not end with a line end or when it
///   ends inside the message's header. When it ends without the final empty line it is kept and reported.
/// - Flags: `Status:` `R` \Seen, `D` \Deleted (`O` only means "not recent"); `X-Status:` `A` \Answered,
///   `F` \Flagged, `T` \Draft, `D` \Deleted; `X-Keywords:` keywords (Dovecot's mbox-storage, UW IMAP);
///   `X-Mozilla-Status:` bits 0x1 \Seen, 0x2 \Answered, 0x4 \Flagged, 0x8 \Deleted, 0x1000 $Forwarded and
///   `X-Mozilla-Keys:` (Thunderbird). These fields, with `X-UID`, `X-IMAPbase`, `X-IMAP`, `Content-Length` and
///   `X-Mozilla-Status2`, are removed from the message, as Dovecot hides them from IMAP clients
///   (`mbox_hide_headers`).
/// - `Content-Length:` (Dovecot, mboxcl2): Dovecot does not quote `From ` in bodies, so a `From ` line after an
///   empty line that lies inside the length is body text. If the length proves wrong (the message does not end
///   there), the message is split at those lines after all.
public struct MboxReader: Sendable {
    public let variant: MboxVariant
    public let maxMessageSize: Int
    /// The zone assumed for From_ dates without one, in minutes east of UTC (asctime has none; writers used
    /// their local time).
    public let assumedZoneMinutes: Int

    /// A partial line longer than this is decided without waiting for its end (From_ lines are short).
    static let maxPendingLine = 4096

    private var pending: [UInt8] = []
    private var inLongLine = false
    private var linesDone = 0
    private var previousEmpty = true
    private var current: Builder?
    private var reportedLeadingText = false
    private var sawFolderData = false

    private struct Builder: Sendable {
        var line: Int
        var sender: String
        var date: Int64
        var bytes: [UInt8] = []
        /// Set when the message is being skipped: its bytes are not kept.
        var skipped = false
        var headerEnded = false
        var lastLineEmpty = false
        /// Where the body starts in `bytes`, and the header's `Content-Length:` (Dovecot, mboxcl2).
        var bodyStart = 0
        var contentLength: Int?
        /// `From ` lines after an empty line that `Content-Length` put inside the body: offsets in `bytes` and
        /// line numbers. If the length turns out wrong, the message is split there after all.
        var suspects: [(offset: Int, line: Int)] = []
        var lastLineLength = 0

        /// The body's length if the message ended now (the trailing empty line is the separator).
        var bodyLengthSoFar: Int { bytes.count - (lastLineEmpty ? lastLineLength : 0) - bodyStart }
    }

    public init(variant: MboxVariant = .mboxrd, maxMessageSize: Int = 64 << 20, assumedZoneMinutes: Int = 0) {
        self.variant = variant
        self.maxMessageSize = maxMessageSize
        self.assumedZoneMinutes = assumedZoneMinutes
    }

    /// Reads the next chunk of the file; returns what completed.
    public mutating func read(_ chunk: some Collection<UInt8>) -> [MboxItem] {
        let chunk = Array(chunk)
        var items: [MboxItem] = []
        var start = 0
        while start < chunk.count {
            guard let lf = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                if inLongLine {
                    appendBody(chunk[start...], items: &items)
                } else {
                    pending += chunk[start...]
                    if pending.count > Self.maxPendingLine { decideLongLine(items: &items) }
                }
                break
            }
            if inLongLine {
                appendBody(chunk[start...lf], items: &items)
                inLongLine = false
                linesDone += 1
                previousEmpty = false
            } else if pending.isEmpty {
                handleLine(chunk[start..<lf], items: &items)
            } else {
                pending += chunk[start..<lf]
                let line = pending
                pending = []
                handleLine(line[...], items: &items)
            }
            start = lf + 1
        }
        return items
    }

    /// Ends the file: returns the last message, or why it was not kept.
    public mutating func finish() -> [MboxItem] {
        var items: [MboxItem] = []
        let unterminated = inLongLine || !pending.isEmpty
        if unterminated, current != nil {
            current!.skipped = true
            current!.bytes = []
            items.append(
                .problem(
                    MigrationProblem(
                        line: current!.line,
                        reason: "the last message is truncated (the file ends inside line \(linesDone + 1)): skipped")))
        } else if let builder = current, !builder.skipped, !builder.headerEnded {
            current!.skipped = true
            items.append(
                .problem(
                    MigrationProblem(
                        line: builder.line, reason: "the last message is truncated (the file ends inside its header): skipped")))
        } else if let builder = current, !builder.skipped, !builder.lastLineEmpty {
            items.append(
                .problem(
                    MigrationProblem(
                        line: builder.line,
                        reason: "the last message does not end with an empty line (the file may be truncated): kept")))
        }
        if unterminated, current == nil, !reportedLeadingText {
            items.append(.problem(MigrationProblem(line: linesDone + 1, reason: "text without a From_ line: skipped")))
        }
        pending = []
        inLongLine = false
        finishMessage(items: &items)
        if linesDone == 0, !unterminated {
            items.append(.problem(MigrationProblem(line: 0, reason: "the file is empty")))
        }
        return items
    }

    /// Parses a whole mbox file held in memory.
    public static func parse(
        _ bytes: [UInt8], variant: MboxVariant = .mboxrd, maxMessageSize: Int = 64 << 20
    ) -> MigrationParse<(messages: [MboxMessage], folderData: MboxFolderData?)> {
        var reader = MboxReader(variant: variant, maxMessageSize: maxMessageSize)
        var messages: [MboxMessage] = []
        var folder: MboxFolderData?
        var log = ProblemLog()
        for item in reader.read(bytes) + reader.finish() {
            switch item {
            case .message(let message): messages.append(message)
            case .folderData(let data): folder = data
            case .problem(let problem): log.add(problem.line, problem.reason)
            }
        }
        return MigrationParse(value: (messages, folder), problems: log.all)
    }

    // MARK: - Lines

    private mutating func handleLine(_ line: ArraySlice<UInt8>, items: inout [MboxItem]) {
        linesDone += 1
        let number = linesDone
        let content = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        if previousEmpty, content.starts(with: Self.fromPrefix),
            let builder = current, !builder.skipped, builder.headerEnded, let length = builder.contentLength,
            builder.bodyLengthSoFar < length
        {
            // Content-Length says this line is still body (Dovecot does not quote `From ` in bodies).
            current!.suspects.append((current!.bytes.count, number))
        } else if previousEmpty || current == nil, content.starts(with: Self.fromPrefix) {
            finishMessage(items: &items)
            startMessage(content, number: number, items: &items)
            previousEmpty = false
            return
        }
        let empty = content.isEmpty
        if current == nil {
            if !empty, !reportedLeadingText {
                reportedLeadingText = true
                items.append(
                    .problem(
                        MigrationProblem(line: number, reason: "text before the first From_ line: skipped up to the next one")))
            }
        } else {
            appendBody(unquote(line), items: &items)
            appendBody([UInt8(ascii: "\n")][...], items: &items)
            if !current!.headerEnded {
                if empty {
                    current!.headerEnded = true
                    current!.bodyStart = current!.bytes.count
                } else if content.count < 40, let length = Self.contentLength(content) {
                    current!.contentLength = length
                }
            }
            current!.lastLineEmpty = empty
            current!.lastLineLength = line.count + 1
        }
        previousEmpty = empty
    }

    /// A partial line grew past ``maxPendingLine``: it is either an (impossibly long) From_ line, or body text
    /// whose rest is appended as it comes.
    private mutating func decideLongLine(items: inout [MboxItem]) {
        let number = linesDone + 1
        if previousEmpty || current == nil, pending.starts(with: Self.fromPrefix) {
            finishMessage(items: &items)
            current = Builder(line: number, sender: "", date: 0, skipped: true)
            items.append(
                .problem(
                    MigrationProblem(
                        line: number, reason: "From_ line longer than \(Self.maxPendingLine) bytes: its message is skipped")))
        } else if current == nil {
            if !reportedLeadingText {
                reportedLeadingText = true
                items.append(
                    .problem(
                        MigrationProblem(line: number, reason: "text before the first From_ line: skipped up to the next one")))
            }
        } else {
            let line = pending
            appendBody(unquote(line[...]), items: &items)
            current?.lastLineEmpty = false
        }
        pending = []
        inLongLine = true
    }

    private static let fromPrefix = Array("From ".utf8)

    /// mboxrd: `>+From ` loses one `>`; mboxo: only `>From `.
    private func unquote(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard variant != .mboxcl2, line.first == UInt8(ascii: ">") else { return line }
        let quotes = line.prefix { $0 == UInt8(ascii: ">") }.count
        guard line.dropFirst(quotes).starts(with: Self.fromPrefix) else { return line }
        switch variant {
        case .mboxrd: return line.dropFirst()
        case .mboxo: return quotes == 1 ? line.dropFirst() : line
        case .mboxcl2: return line
        }
    }

    private mutating func appendBody(_ bytes: ArraySlice<UInt8>, items: inout [MboxItem]) {
        guard current != nil, !current!.skipped else { return }
        if current!.bytes.count + bytes.count > maxMessageSize {
            items.append(
                .problem(
                    MigrationProblem(
                        line: current!.line, reason: "message larger than \(maxMessageSize) bytes: skipped")))
            current!.skipped = true
            current!.bytes = []
            return
        }
        current!.bytes += bytes
    }

    // MARK: - Messages

    private mutating func startMessage(_ fromLine: ArraySlice<UInt8>, number: Int, items: inout [MboxItem]) {
        switch MboxFromLine.parse(fromLine, assumedZoneMinutes: assumedZoneMinutes) {
        case .success(let parsed):
            current = Builder(line: number, sender: parsed.sender, date: parsed.date)
        case .failure(let reason):
            current = Builder(line: number, sender: "", date: 0, skipped: true)
            items.append(
                .problem(MigrationProblem(line: number, reason: "broken From_ line (\(reason)): its message is skipped")))
        }
    }

    private mutating func finishMessage(items: inout [MboxItem]) {
        guard let builder = current else { return }
        current = nil
        guard !builder.skipped else { return }
        var bytes = builder.bytes
        // The empty line before the next From_ line (or at the end) separates; it is not part of the message.
        if builder.lastLineEmpty { bytes.removeLast(builder.lastLineLength) }
        guard !builder.suspects.isEmpty, builder.contentLength != bytes.count - builder.bodyStart else {
            emit(bytes, line: builder.line, sender: builder.sender, date: builder.date, items: &items)
            return
        }
        // Content-Length was wrong: the `From ` lines it covered were separators after all.
        let cuts = builder.suspects.filter { $0.offset < bytes.count }
        var start = 0
        var (line, sender, date) = (builder.line, builder.sender, builder.date)
        var valid = true
        for cut in cuts {
            if valid {
                var part = Array(bytes[start..<cut.offset])
                if part.last == UInt8(ascii: "\n") { part.removeLast() }
                if part.last == UInt8(ascii: "\r") { part.removeLast() }
                emit(part, line: line, sender: sender, date: date, items: &items)
            }
            let fromEnd = bytes[cut.offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var fromLine = bytes[cut.offset..<fromEnd]
            if fromLine.last == UInt8(ascii: "\r") { fromLine = fromLine.dropLast() }
            start = min(fromEnd + 1, bytes.count)
            line = cut.line
            switch MboxFromLine.parse(fromLine, assumedZoneMinutes: assumedZoneMinutes) {
            case .success(let parsed):
                (sender, date, valid) = (parsed.sender, parsed.date, true)
            case .failure(let reason):
                valid = false
                items.append(
                    .problem(MigrationProblem(line: cut.line, reason: "broken From_ line (\(reason)): its message is skipped")))
            }
        }
        if valid { emit(Array(bytes[start...]), line: line, sender: sender, date: date, items: &items) }
    }

    private mutating func emit(_ message: [UInt8], line: Int, sender: String, date: Int64, items: inout [MboxItem]) {
        var bytes = message
        let status = MboxStatusFields.read(&bytes)
        if let data = status.folderData, !sawFolderData {
            sawFolderData = true
            items.append(.folderData(data))
        }
        if status.isPseudoMessage { return }
        items.append(
            .message(
                MboxMessage(line: line, sender: sender, internalDate: date, bytes: bytes, flags: status.flags, uid: status.uid)))
    }

    /// `Content-Length: <n>` (case-insensitive name).
    private static func contentLength(_ line: ArraySlice<UInt8>) -> Int? {
        let name = Array("content-length:".utf8)
        guard line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 || $0 == $1 }) else { return nil }
        let value = line.dropFirst(name.count).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard !value.isEmpty, value.count <= 12, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: value, as: UTF8.self))
    }
}

/// The From_ line: `From <sender> <asctime date>`.
enum MboxFromLine {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(
        _ line: ArraySlice<UInt8>, assumedZoneMinutes: Int
    ) -> Result<(sender: String, date: Int64), FromLineError> {
        guard let text = String(validating: line.dropFirst(5), as: UTF8.self) else { return .failure(.init("not UTF-8")) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let sender = words.first, !ASCII.hasControl(sender) else { return .failure(.init("no sender")) }
        // The date: [weekday] month day time [zone] year [zone] [remote from host].
        let rest = Array(words.dropFirst())
        guard let monthAt = rest.firstIndex(where: { months.contains($0.lowercased()) }), rest.count >= monthAt + 4,
            monthAt <= 1
        else { return .failure(.init("no asctime date")) }
        let month = months.firstIndex(of: rest[monthAt].lowercased())! + 1
        guard let day = Int(rest[monthAt + 1]), (1...31).contains(day) else { return .failure(.init("bad day")) }
        let time = rest[monthAt + 2].split(separator: ":")
        guard time.count == 2 || time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return .failure(.init("bad time")) }
        var second = 0
        if time.count == 3 {
            guard let s = Int(time[2]), (0...60).contains(s) else { return .failure(.init("bad time")) }
            second = s
        }
        var zone: Int?
        var year: Int?
        for word in rest[(monthAt + 3)...].prefix(3) {
            if year == nil, word.count == 4, let y = Int(word) {
                year = y
            } else if zone == nil, let z = numericZone(word) {
                zone = z
            } else if year != nil {
                break
            }
        }
        guard let year, CivilDate.isValid(year: year, month: month, day: day) else { return .failure(.init("bad year")) }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zone ?? assumedZoneMinutes) * 60
        return .success((String(sender), seconds))
    }

    /// `+hhmm` / `-hhmm`.
    private static func numericZone(_ word: Substring) -> Int? {
        guard word.count == 5, let sign = word.first, sign == "+" || sign == "-", let digits = Int(word.dropFirst()),
            digits % 100 < 60, digits / 100 <= 14
        else { return nil }
        let minutes = digits / 100 * 60 + digits % 100
        return sign == "-" ? -minutes : minutes
    }

    struct FromLineError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

/// The status fields of an mbox message (see ``MboxReader``).
enum MboxStatusFields {
    static let removed: Set<String> = [
        "status", "x-status", "x-keywords", "x-uid", "x-imapbase", "x-imap", "content-length", "x-mozilla-status",
        "x-mozilla-status2", "x-mozilla-keys",
    ]
    static let pseudoSubject = "DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA"

    struct Result {
        var flags: [String] = []
        var uid: UInt32?
        var folderData: MboxFolderData?
        var isPseudoMessage = false
    }

    /// Reads the fields and removes them from the message's header.
    static func read(_ bytes: inout [UInt8]) -> Result {
        let headerEnd = headerLength(bytes)
        let header = MIMEMessage(Array(bytes[0..<headerEnd])).header
        var result = Result()
        var system: Set<String> = []
        var keywords: [String] = []
        func addKeywords(_ value: String) {
            for word in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            where IMAPKeyword.isValid(word) && !keywords.contains(String(word)) {
                keywords.append(String(word))
            }
        }
        var toRemove: [Range<Int>] = []
        for field in header.fields where removed.contains(field.lowercasedName) {
            toRemove.append(field.range)
            let value = field.value
            switch field.lowercasedName {
            case "status":
                if value.contains("R") { system.insert("\\Seen") }
                if value.contains("D") { system.insert("\\Deleted") }
            case "x-status":
                if value.contains("A") { system.insert("\\Answered") }
                if value.contains("F") { system.insert("\\Flagged") }
                if value.contains("T") { system.insert("\\Draft") }
                if value.contains("D") { system.insert("\\Deleted") }
            case "x-keywords", "x-mozilla-keys": addKeywords(value)
            case "x-uid": result.uid = ASCII.uint32(value).flatMap { $0 == 0 ? nil : $0 }
            case "x-mozilla-status":
                if value.utf8.count <= 4, let bits = UInt16(value, radix: 16) {
                    if bits & 0x1 != 0 { system.insert("\\Seen") }
                    if bits & 0x2 != 0 { system.insert("\\Answered") }
                    if bits & 0x4 != 0 { system.insert("\\Flagged") }
                    if bits & 0x8 != 0 { system.insert("\\Deleted") }
                    if bits & 0x1000 != 0, !keywords.contains("$Forwarded") { keywords.append("$Forwarded") }
                }
            case "x-imapbase", "x-imap":
                let words = value.split(separator: " ")
                // The second number is the last UID given out (Dovecot's mbox storage and UW IMAP write
                // it so), not the next one.
                if words.count >= 2, let validity = ASCII.uint32(words[0]), let last = ASCII.uint32(words[1]), validity != 0,
                    last < UInt32.max
                {
                    result.folderData = MboxFolderData(
                        uidValidity: validity, nextUID: last + 1,
                        keywords: words.dropFirst(2).filter { IMAPKeyword.isValid($0) }.map(String.init))
                }
                if field.lowercasedName == "x-imap", header["subject"]?.contains(pseudoSubject) == true {
                    result.isPseudoMessage = true
                }
            default: break
            }
        }
        result.flags = ["\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen"].filter { system.contains($0) } + keywords
        for range in toRemove.sorted(by: { $0.lowerBound > $1.lowerBound }) where range.upperBound <= headerEnd {
            bytes.removeSubrange(range)
        }
        return result
    }

    /// The length of the header block, its ending empty line included (all of the message when it has none).
    static func headerLength(_ bytes: [UInt8]) -> Int {
        var lineStart = 0
        while lineStart < bytes.count {
            let lf = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let length = lf - lineStart
            if length == 0 || (length == 1 && bytes[lineStart] == UInt8(ascii: "\r")) {
                return min(lf + 1, bytes.count)
            }
            lineStart = lf + 1
        }
        return bytes.count
    }
}
