/// The `date-time` of a `Date:` field (RFC 5322 §3.3), tolerating the obsolete forms of §4.3:
/// missing day name, two- and three-digit years, alphabetic zones, comments, a missing time.
/// IMAP's SENTBEFORE/SENTON/SENTSINCE use its calendar date; webmail sorts and shows its instant.
public struct MessageDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Offset from UTC in minutes (`-0700` is -420); 0 when absent or unknown (§4.3: "-0000").
    public var zoneMinutes: Int

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// RFC 5322 §4.3 obsolete zones.
    static let namedZones: [String: Int] = [
        "ut": 0, "gmt": 0, "z": 0, "edt": -240, "est": -300, "cdt": -300, "cst": -360, "mdt": -360, "mst": -420,
        "pdt": -420, "pst": -480,
    ]

    public init?(parsing value: String) {
        var text = Substring(value)
        // Comments (CFWS) go: they may hold anything, even digits.
        while let open = text.firstIndex(of: "("), let close = text[open...].firstIndex(of: ")") {
            text = text[..<open] + " " + text[text.index(after: close)...]
        }
        if let comma = text.firstIndex(of: ",") { text = text[text.index(after: comma)...] }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        guard words.count >= 3, let day = Int(words[0]), (1...31).contains(day) else { return nil }
        guard let month = Self.monthNames.firstIndex(of: words[1].prefix(3).lowercased()), var year = Int(words[2]),
            year >= 0
        else { return nil }
        // §4.3: two-digit years are 19xx from 50, else 20xx; three digits add 1900.
        if words[2].count == 2 { year += year >= 50 ? 1900 : 2000 } else if words[2].count == 3 { year += 1900 }
        (self.year, self.month, self.day) = (year, month + 1, day)
        (hour, minute, second, zoneMinutes) = (0, 0, 0, 0)
        guard CivilDate.isValid(year: year, month: month + 1, day: day) else { return nil }
        if words.count >= 4 {
            let time = words[3].split(separator: ":")
            if time.count >= 2, let h = Int(time[0]), let m = Int(time[1]), (0...23).contains(h), (0...59).contains(m) {
                (hour, minute) = (h, m)
                if time.count >= 3, let s = Int(time[2]), (0...60).contains(s) { second = s }
            }
        }
        if words.count >= 5 { zoneMinutes = Self.zone(words[4]) }
    }

    private static func zone(_ word: Substring) -> Int {
        if let sign = word.first, sign == "+" || sign == "-", word.count == 5, let digits = Int(word.dropFirst()) {
            let minutes = digits / 100 * 60 + digits % 100
            guard digits % 100 < 60, minutes <= 14 * 60 else { return 0 }
            return sign == "-" ? -minutes : minutes
        }
        return namedZones[word.lowercased()] ?? 0
    }

    /// Days since 1970-01-01 of the date as written (its own zone, as SEARCH compares it).
    public var daysSince1970: Int64 { CivilDate.days(year: year, month: month, day: day) }

    /// The instant, in seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64 {
        daysSince1970 * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes) * 60
    }
}

extension MessageDate {
    /// The RFC 5322 §3.3 `date-time` of an instant in UTC, e.g. `Fri, 04 Dec 2026 17:05:00 +0000`.
    public static func rfc5322(secondsSince1970 seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = Int(seconds - days * 86400)
        // 1970-01-01 was a Thursday.
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let date = CivilDate.date(daysSince1970: days)
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.month - 1]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let time = "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))"
        return "\(weekday), \(two(date.day)) \(month) \(date.year) \(time) +0000"
    }
}

/// Days of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
public enum CivilDate {
    /// Days since 1970-01-01 of a calendar date.
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day count since 1970-01-01 (`civil_from_days`).
    public static func date(daysSince1970 days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// Whether the day exists in the month (leap years included), years 1 to 9999.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1, year >= 1, year <= 9999 else { return false }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return day <= lengths[month - 1] + (month == 2 && leap ? 1 : 0)
    }
}
