import MIME
import Testing

@Suite("RFC 5322 dates written")
struct MessageDateFormatTests {
    @Test(
        "an instant in UTC, as Python's email.utils.formatdate writes it (with +0000)",
        arguments: [
            (Int64(0), "Thu, 01 Jan 1970 00:00:00 +0000"),
            (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
            (1_796_300_727, "Thu, 03 Dec 2026 12:25:27 +0000"),
            (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 +0000"),
        ])
    func formatted(seconds: Int64, text: String) {
        #expect(MessageDate.rfc5322(secondsSince1970: seconds) == text)
    }

    @Test("what it writes parses back to the same instant")
    func roundTrip() throws {
        for seconds in stride(from: Int64(-86_400 * 400), to: 4_102_444_800, by: 7_654_321) {
            let parsed = try #require(MessageDate(parsing: MessageDate.rfc5322(secondsSince1970: seconds)))
            #expect(parsed.secondsSince1970 == seconds)
        }
    }
}
