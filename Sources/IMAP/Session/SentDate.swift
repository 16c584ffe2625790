/// The calendar date of a `Date:` header field (RFC 5322 §3.3 `date-time`), for SEARCH
/// SENTBEFORE/SENTON/SENTSINCE (RFC 9051 §6.4.4: "disregarding time and timezone").
/// Tolerates the obsolete forms (missing day name, two-digit years, comments).
enum SentDate {
    static func parse(_ value: String) -> IMAPDate? {
        var text = Substring(value)
        if let comma = text.firstIndex(of: ",") { text = text[text.index(after: comma)...] }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "-" })
        guard words.count >= 3, let day = Int(words[0]), (1...31).contains(day) else { return nil }
        let name = words[1].prefix(3).lowercased()
        guard let month = IMAPDate.monthNames.firstIndex(where: { $0.lowercased() == name }),
            var year = Int(words[2])
        else { return nil }
        // RFC 5322 §4.3: two-digit years are 19xx from 50, else 20xx; three digits add 1900.
        if words[2].count == 2 { year += year >= 50 ? 1900 : 2000 } else if words[2].count == 3 { year += 1900 }
        let date = IMAPDate(year: year, month: month + 1, day: day)
        return date.isValid ? date : nil
    }
}
