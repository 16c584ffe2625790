import MIME

/// A calendar date as in SEARCH `BEFORE 1-Feb-1994` (RFC 9051 §9 `date`).
public struct IMAPDate: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for comparisons against internal dates.
    public var daysSince1970: Int64 { CivilDate.days(year: year, month: month, day: day) }

    /// The date of a day count since 1970-01-01.
    public init(daysSince1970 days: Int64) {
        let date = CivilDate.date(daysSince1970: days)
        self.init(year: date.year, month: date.month, day: date.day)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Whether the day exists in the month (leap years included).
    var isValid: Bool { CivilDate.isValid(year: year, month: month, day: day) }
}

/// A date and time with its zone, as APPEND's and INTERNALDATE's `"17-Jul-1996 02:44:25 -0700"` (RFC 9051 §9).
public struct IMAPDateTime: Sendable, Hashable {
    public var date: IMAPDate
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Offset from UTC in minutes (`-0700` is -420).
    public var zoneMinutes: Int

    public init(date: IMAPDate, hour: Int, minute: Int, second: Int, zoneMinutes: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.zoneMinutes = zoneMinutes
    }

    /// The local time of the instant `secondsSince1970` in the zone `zoneMinutes` east of UTC.
    public init(secondsSince1970: Int64, zoneMinutes: Int = 0) {
        let local = secondsSince1970 + Int64(zoneMinutes) * 60
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let rest = Int(local - days * 86400)
        self.init(
            date: IMAPDate(daysSince1970: days), hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60,
            zoneMinutes: zoneMinutes)
    }

    /// The instant, in seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64 {
        date.daysSince1970 * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(zoneMinutes) * 60
    }
}
