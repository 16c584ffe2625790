import Testing

@testable import MIME

@Suite struct SectionTests {
    let message = Fixtures.message(Fixtures.rfc3501Example)

    @Test func everySectionOfTheRFC3501ExampleResolves() {
        let m = message
        #expect(m.string([], .header)?.hasPrefix("From: Alice <alice@example.com>\r\n") == true)
        #expect(m.string([], .header)?.hasSuffix("boundary=\"outer\"\r\n\r\n") == true)
        #expect(m.string([], .text)?.hasPrefix("preamble\r\n--outer\r\n") == true)
        #expect(m.string([], .text)?.hasSuffix("--outer--\r\nepilogue\r\n") == true)
        #expect(m.string([]) == String(decoding: m.bytes, as: UTF8.self))
        #expect(m.string([1]) == "part 1")
        #expect(m.string([1], .mime) == "Content-Type: text/plain\r\n\r\n")
        #expect(m.string([2]) == "AAEC")
        #expect(m.string([3])?.hasPrefix("Subject: inner3\r\n") == true)
        #expect(m.string([3])?.hasSuffix("part 3.2\r\n--m3--") == true)
        #expect(m.string([3], .header) == "Subject: inner3\r\nContent-Type: multipart/mixed; boundary=\"m3\"\r\n\r\n")
        #expect(
            m.string([3], .text)
                == "--m3\r\n\r\npart 3.1\r\n--m3\r\nContent-Type: application/octet-stream\r\n\r\npart 3.2\r\n--m3--")
        #expect(m.string([3, 1]) == "part 3.1")
        #expect(m.string([3, 1], .mime) == "\r\n")
        #expect(m.string([3, 2]) == "part 3.2")
        #expect(m.string([4])?.hasPrefix("--p4\r\nContent-Type: image/gif\r\n") == true)
        #expect(m.string([4, 1]) == "GIF89a")
        #expect(m.string([4, 1], .mime) == "Content-Type: image/gif\r\n\r\n")
        #expect(m.string([4, 2])?.hasPrefix("Subject: inner4.2\r\n") == true)
        #expect(
            m.string([4, 2], .header) == "Subject: inner4.2\r\nContent-Type: multipart/mixed; boundary=\"m42\"\r\n\r\n")
        #expect(m.string([4, 2], .text)?.hasPrefix("--m42\r\nContent-Type: text/plain\r\n\r\npart 4.2.1\r\n") == true)
        #expect(m.string([4, 2], .text)?.hasSuffix("--alt--\r\n--m42--") == true)
        #expect(m.string([4, 2, 1]) == "part 4.2.1")
        #expect(m.string([4, 2, 2])?.hasPrefix("--alt\r\nContent-Type: text/plain\r\n\r\npart 4.2.2.1\r\n") == true)
        #expect(m.string([4, 2, 2])?.hasSuffix("part 4.2.2.2\r\n--alt--") == true)
        #expect(m.string([4, 2, 2, 1]) == "part 4.2.2.1")
        #expect(m.string([4, 2, 2, 2]) == "part 4.2.2.2")
        #expect(m.entity(at: [4, 2, 2, 2])?.contentType.mimeType == "text/richtext")
    }

    @Test func sectionsThatDoNotExistAreNil() {
        let m = message
        for part in [[0], [5], [1, 1], [2, 1], [3, 3], [4, 3], [4, 1, 1], [4, 2, 3], [4, 2, 2, 3], [-1]] {
            #expect(m.string(part) == nil, "part \(part)")
        }
        #expect(m.string([], .mime) == nil)
        #expect(m.string([1], .header) == nil)
        #expect(m.string([4], .text) == nil)
        #expect(m.string([2], .headerFields(["subject"])) == nil)
        #expect(m.range(of: MessageSection(part: [], text: .headerFields(["from"]))) == nil)
    }

    @Test func headerFieldsSelectInOriginalOrderCaseInsensitively() {
        let m = message
        #expect(
            m.string([], .headerFields(["SUBJECT", "from"]))
                == "From: Alice <alice@example.com>\r\nSubject: test\r\n\r\n")
        #expect(m.string([], .headerFields(["x-missing"])) == "\r\n")
        #expect(m.string([4, 2], .headerFieldsNot(["Content-Type"])) == "Subject: inner4.2\r\n\r\n")
        #expect(m.string([3], .headerFields(["subject"])) == "Subject: inner3\r\n\r\n")
    }

    @Test func foldedFieldsAreReturnedWithTheirFolding() {
        let m = Fixtures.message("Subject: a\n  b\nX-A: 1\nx-a: 2\n\nbody")
        #expect(m.string([], .headerFields(["subject"])) == "Subject: a\r\n  b\r\n\r\n")
        #expect(m.string([], .headerFields(["X-A"])) == "X-A: 1\r\nx-a: 2\r\n\r\n")
    }

    @Test func aNonMultipartMessageHasOnlyPartOne() {
        let m = Fixtures.message("Subject: x\n\nhello\n")
        #expect(m.string([1]) == "hello\r\n")
        #expect(m.string([2]) == nil)
        #expect(m.string([1, 1]) == nil)
        #expect(m.string([], .text) == "hello\r\n")
    }

    @Test func aTopLevelMessageRFC822AddressesTheEncapsulatedParts() {
        let m = Fixtures.message("Content-Type: message/rfc822\n\nSubject: inner\n\ninner body")
        #expect(m.string([1]) == "Subject: inner\r\n\r\ninner body")
        #expect(m.string([1], .header) == "Subject: inner\r\n\r\n")
        #expect(m.string([1, 1]) == "inner body")
    }
}
