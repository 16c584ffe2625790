/// Composite values shared by several commands: sequence sets, flags, mailboxes, dates.
extension IMAPByteReader {
    /// `sequence-set` (RFC 9051 §9) or `$` (RFC 5182 §2).
    mutating func sequenceSet() throws(IMAPParseError) -> IMAPSequenceSet {
        if skip(UInt8(ascii: "$")) { return .lastResult }
        var ranges: [IMAPSequenceRange] = []
        repeat {
            let first = try sequenceNumber()
            if skip(UInt8(ascii: ":")) {
                ranges.append(IMAPSequenceRange(first, try sequenceNumber()))
            } else {
                ranges.append(IMAPSequenceRange(first))
            }
        } while skip(UInt8(ascii: ","))
        return .ranges(ranges)
    }

    private mutating func sequenceNumber() throws(IMAPParseError) -> IMAPSequenceNumber {
        if skip(UInt8(ascii: "*")) { return .star }
        guard let byte = peek(), IMAPCharacter.isDigit(byte) else { throw IMAPParseError("invalid sequence set") }
        return .number(try number32(nonZero: true))
    }

    /// `flag`: `\Name` or a keyword atom (RFC 9051 §9). `\*` is not a flag in commands.
    mutating func flag() throws(IMAPParseError) -> IMAPFlag {
        let start = index
        _ = skip(UInt8(ascii: "\\"))
        _ = try atom("a flag")
        return IMAPFlag(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// `flag-list`: `(flag *(SP flag))`, possibly empty.
    mutating func flagList() throws(IMAPParseError) -> [IMAPFlag] {
        try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in try reader.flag() }
    }

    /// `mailbox` (an astring; INBOX in any case is recognised by ``IMAPMailboxName/isInbox``).
    mutating func mailbox() throws(IMAPParseError) -> IMAPMailboxName {
        IMAPMailboxName(bytes: try astring())
    }

    /// `list-mailbox`: 1*list-char or string (RFC 9051 §9), for LIST patterns.
    mutating func listMailbox() throws(IMAPParseError) -> IMAPMailboxName {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"): return IMAPMailboxName(bytes: try string())
        default:
            let slice = take(while: IMAPCharacter.isListChar)
            guard !slice.isEmpty else { throw IMAPParseError("expected a mailbox pattern") }
            return IMAPMailboxName(bytes: Array(slice))
        }
    }

    /// `date`: `d-Mon-yyyy`, optionally in double quotes (RFC 9051 §9).
    mutating func date() throws(IMAPParseError) -> IMAPDate {
        let quoted = skip(UInt8(ascii: "\""))
        let date = try dateText(fixedDay: false)
        if quoted { try expect(UInt8(ascii: "\""), "closing quote of date") }
        return date
    }

    /// `date-time`: `"dd-Mon-yyyy hh:mm:ss +zzzz"` (RFC 9051 §9); the day may be space-padded.
    mutating func dateTime() throws(IMAPParseError) -> IMAPDateTime {
        try expect(UInt8(ascii: "\""), "a date-time")
        _ = skip(UInt8(ascii: " "))
        let date = try dateText(fixedDay: true)
        try space()
        let hour = try digits(2)
        try expect(UInt8(ascii: ":"), ":")
        let minute = try digits(2)
        try expect(UInt8(ascii: ":"), ":")
        let second = try digits(2)
        try space()
        let sign: Int
        if skip(UInt8(ascii: "+")) {
            sign = 1
        } else if skip(UInt8(ascii: "-")) {
            sign = -1
        } else {
            throw IMAPParseError("invalid time zone")
        }
        let zone = try digits(4)
        try expect(UInt8(ascii: "\""), "closing quote of date-time")
        guard hour < 24, minute < 60, second < 61, zone % 100 < 60 else { throw IMAPParseError("invalid time") }
        return IMAPDateTime(
            date: date, hour: hour, minute: minute, second: second, zoneMinutes: sign * (zone / 100 * 60 + zone % 100))
    }

    private mutating func dateText(fixedDay: Bool) throws(IMAPParseError) -> IMAPDate {
        let day = take(while: IMAPCharacter.isDigit)
        guard (1...2).contains(day.count) else { throw IMAPParseError("invalid date") }
        try expect(UInt8(ascii: "-"), "- in date")
        guard bytes.count - index >= 3 else { throw IMAPParseError("invalid date") }
        let monthName = Self.upper(bytes[index..<index + 3])
        guard let month = IMAPDate.monthNames.firstIndex(where: { $0.uppercased() == monthName }) else {
            throw IMAPParseError("invalid month")
        }
        index += 3
        try expect(UInt8(ascii: "-"), "- in date")
        let year = try digits(4)
        let date = IMAPDate(year: year, month: month + 1, day: day.reduce(0) { $0 * 10 + Int($1 - 0x30) })
        guard date.isValid else { throw IMAPParseError("invalid date") }
        return date
    }

    private mutating func digits(_ count: Int) throws(IMAPParseError) -> Int {
        guard bytes.count - index >= count else { throw IMAPParseError("expected digits") }
        var value = 0
        for _ in 0..<count {
            guard IMAPCharacter.isDigit(bytes[index]) else { throw IMAPParseError("expected digits") }
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        return value
    }
}
