/// INTERNALDATE as a server sends it (RFC 9051 §9 `date-time`): `"dd-Mon-yyyy hh:mm:ss +zzzz"`, the day
/// possibly space-padded (`date-day-fixed`).
enum IMAPPullDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970, or nil when the text is not a `date-time`.
    static func parse(_ bytes: [UInt8]) -> Int64? {
        let text = String(decoding: bytes, as: UTF8.self).drop { $0 == " " }
        let fields = text.split(separator: " ")
        guard fields.count == 3 else { return nil }
        let date = fields[0].split(separator: "-")
        let time = fields[1].split(separator: ":")
        let zone = fields[2]
        guard date.count == 3, time.count == 3, zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
            let day = Int(date[0]), (1...31).contains(day), date[0].count <= 2,
            let month = months.firstIndex(of: date[1].lowercased()),
            let year = Int(date[2]), date[2].count == 4,
            let hour = Int(time[0]), (0...23).contains(hour), let minute = Int(time[1]), (0...59).contains(minute),
            let second = Int(time[2]), (0...60).contains(second), time.allSatisfy({ $0.count == 2 }),
            let zoneDigits = Int(zone.dropFirst()), zone.dropFirst().allSatisfy(\.isASCII)
        else { return nil }
        let offset = (zoneDigits / 100 * 3600 + zoneDigits % 100 * 60) * (sign == "-" ? -1 : 1)
        let days = daysFromCivil(year: year, month: month + 1, day: day)
        return Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
