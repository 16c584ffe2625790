import MIME

/// An instant seen in one time zone, and the date parts of RFC 5260 §4.2.
struct SieveDateParts: Sendable, Hashable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// Offset from UTC in minutes.
    var zoneMinutes: Int
    var daysSince1970: Int64

    /// The instant `secondsSince1970` as a wall clock in `zoneMinutes`.
    init(secondsSince1970: Int64, zoneMinutes: Int) {
        let local = secondsSince1970 + Int64(zoneMinutes) * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = Int(local - days * 86_400)
        (year, month, day) = CivilDate.date(daysSince1970: days)
        hour = seconds / 3_600
        minute = seconds / 60 % 60
        second = seconds % 60
        self.zoneMinutes = zoneMinutes
        daysSince1970 = days
    }

    /// RFC 5260 §4.1: `+hhmm`/`-hhmm`.
    static func zoneOffset(_ zone: String) -> Int? {
        let bytes = Array(zone.utf8)
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[1...].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        let digits = bytes[1...].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard digits % 100 < 60, digits / 100 <= 23 else { return nil }
        let minutes = digits / 100 * 60 + digits % 100
        return bytes[0] == UInt8(ascii: "-") ? -minutes : minutes
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private var zone: String {
        let sign = zoneMinutes < 0 ? "-" : "+"
        return sign + Self.pad(abs(zoneMinutes) / 60, 2) + Self.pad(abs(zoneMinutes) % 60, 2)
    }

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5260 §4.2: weekday, 0 is Sunday (1970-01-01 was a Thursday).
    private var weekday: Int { Int(((daysSince1970 % 7) + 7 + 4) % 7) }

    /// RFC 5260 §4.2: the value of a date part; nil for an unknown name.
    func value(of part: String) -> String? {
        switch part.lowercased() {
        case "year": Self.pad(year, 4)
        case "month": Self.pad(month, 2)
        case "day": Self.pad(day, 2)
        case "date": "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
        // The Modified Julian Day: days since 1858-11-17.
        case "julian": String(daysSince1970 + 40_587)
        case "hour": Self.pad(hour, 2)
        case "minute": Self.pad(minute, 2)
        case "second": Self.pad(second, 2)
        case "time": "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2))"
        // RFC 3339 §5.6 time-offset: "Z" for UTC (as Pigeonhole writes it), else +hh:mm.
        case "iso8601":
            "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))T\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):"
                + "\(Self.pad(second, 2))\(zoneMinutes == 0 ? "Z" : "\(zone.prefix(3)):\(zone.suffix(2))")"
        case "std11":
            "\(Self.dayNames[weekday]), \(Self.pad(day, 2)) \(Self.monthNames[month - 1]) \(Self.pad(year, 4)) "
                + "\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):\(Self.pad(second, 2)) \(zone)"
        case "zone": zone
        case "weekday": String(weekday)
        default: nil
        }
    }
}
