import MIME

/// The calendar date of a `Date:` header field for SEARCH SENTBEFORE/SENTON/SENTSINCE (RFC 9051
/// §6.4.4: "disregarding time and timezone"), as `MessageDate` reads it.
enum SentDate {
    static func parse(_ value: String) -> IMAPDate? {
        MessageDate(parsing: value).map { IMAPDate(year: $0.year, month: $0.month, day: $0.day) }
    }
}
