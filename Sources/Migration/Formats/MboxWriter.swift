import MIME

/// Writes messages as an mbox file in the **mboxrd** variant (see ``MboxVariant/mboxrd``): a From_ line, the
/// message with LF line ends, every line that matches `>*From ` quoted with one more `>`, and an empty line.
///
/// Why mboxrd and not mboxcl2 (Dovecot's own, unquoted with `Content-Length:`): every mbox reader splits an
/// mboxrd file at the right places, because no body line starts with `From `; mboxrd readers (mutt, Posta's
/// ``MboxReader``) give back the exact lines; readers that split at every `From ` line (Python's `mailbox`,
/// Thunderbird) would cut an unquoted file apart. Dovecot neither quotes nor unquotes: it shows the quoted
/// lines with their extra `>`, the only change, and only on body lines that began with `From `.
///
/// Flags are written as Dovecot's mbox storage reads them (mbox-sync-parse.c): `Status:` `R` \Seen and `O`
/// (not recent), `X-Status:` `A` \Answered, `D` \Deleted, `F` \Flagged, `T` \Draft, `X-Keywords:` the
/// keywords separated by spaces. Such fields already in the message (and the other fields ``MboxReader``
/// removes, `X-UID`, `X-IMAPbase`, `Content-Length`…) are dropped first, so they cannot contradict the new
/// ones.
public enum MboxWriter {
    /// One message as it goes into the file, its trailing empty line included. `sender` is the From_ line's
    /// address (`MAILER-DAEMON` when nil, empty or not one word); `internalDate` is seconds since 1970, written
    /// in UTC.
    ///
    /// `uid` is written as `X-UID:`; `folder` (on a folder's first message only) as
    /// `X-IMAPbase: <uidvalidity> <last uid> <keywords>`, the folder's UID data as Dovecot's mbox storage and
    /// UW IMAP write and read it (mbox-sync-parse.c; the second number is the last UID handed out, the next
    /// UID minus one). Dovecot keeps the UIDs of a file that has both, and shows only the keywords listed in
    /// `X-IMAPbase`.
    public static func entry(
        message: [UInt8], sender: String?, internalDate: Int64, flags: [String], uid: UInt32? = nil,
        folder: (uidValidity: UInt32, nextUID: UInt32, keywords: [String])? = nil
    ) -> [UInt8] {
        var bytes = lfLineEnds(message)
        _ = MboxStatusFields.read(&bytes)
        let headerEnd = MboxStatusFields.headerLength(bytes)
        var header = Array(bytes[0..<headerEnd])
        var body = Array(bytes[headerEnd...])
        // The header's ending empty line, or none when the message is all header.
        let hadSeparator = header.count >= 1 && header.last == 0x0A && (header.count == 1 || header.dropLast().last == 0x0A)
        if hadSeparator { header.removeLast() } else if !header.isEmpty && header.last != 0x0A { header.append(0x0A) }
        if !hadSeparator, !body.isEmpty { body = [] }
        header += statusFields(flags)
        if let folder {
            let keywords = folder.keywords.filter { IMAPKeyword.isValid($0) }
            let base = ["\(folder.uidValidity)", "\(max(folder.nextUID, 1) - 1)"] + keywords
            header += Array(("X-IMAPbase: " + base.joined(separator: " ") + "\n").utf8)
        }
        if let uid { header += Array("X-UID: \(uid)\n".utf8) }
        header.append(0x0A)
        var out = Array(("From " + fromSender(sender) + " " + asctime(internalDate) + "\n").utf8)
        out += quoteFromLines(header) + quoteFromLines(body)
        if out.last != 0x0A { out.append(0x0A) }
        out.append(0x0A)
        return out
    }

    /// `Status:`, `X-Status:` and `X-Keywords:` lines for the flags.
    static func statusFields(_ flags: [String]) -> [UInt8] {
        let lower = Set(flags.map { $0.lowercased() })
        var out = "Status: " + (lower.contains("\\seen") ? "RO" : "O") + "\n"
        let xStatus = [("\\answered", "A"), ("\\deleted", "D"), ("\\flagged", "F"), ("\\draft", "T")]
            .filter { lower.contains($0.0) }.map(\.1).joined()
        if !xStatus.isEmpty { out += "X-Status: " + xStatus + "\n" }
        let keywords = flags.filter { !$0.hasPrefix("\\") && IMAPKeyword.isValid($0) }
        if !keywords.isEmpty { out += "X-Keywords: " + keywords.joined(separator: " ") + "\n" }
        return Array(out.utf8)
    }

    /// CRLF (and a lone CR at the end of a line) become LF.
    static func lfLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                index += 1
                continue
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }

    /// Each line matching `>*From ` gets one more `>` (mboxrd).
    static func quoteFromLines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let from = Array("From ".utf8)
        var lineStart = true
        var index = 0
        while index < bytes.count {
            if lineStart {
                var probe = index
                while probe < bytes.count, bytes[probe] == UInt8(ascii: ">") { probe += 1 }
                if bytes.count - probe >= from.count, Array(bytes[probe..<probe + from.count]) == from {
                    out.append(UInt8(ascii: ">"))
                }
            }
            out.append(bytes[index])
            lineStart = bytes[index] == 0x0A
            index += 1
        }
        return out
    }

    static func fromSender(_ sender: String?) -> String {
        guard let sender, !sender.isEmpty, !sender.contains(where: { $0 == " " || $0 == "\t" }), !ASCII.hasControl(sender)
        else { return "MAILER-DAEMON" }
        return sender
    }

    /// asctime(3) in UTC: `Www Mmm dd hh:mm:ss yyyy`, the day padded with a space.
    static func asctime(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = Int(seconds - days * 86400)
        let (year, month, day) = CivilDate.date(daysSince1970: days)
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let dayText = day < 10 ? " \(day)" : "\(day)"
        return
            "\(names[weekday]) \(months[month - 1]) \(dayText) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) \(year)"
    }
}
