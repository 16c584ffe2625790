import MIME

/// Test messages written with `\n` and sent with CRLF line endings.
enum Fixtures {
    static func crlf(_ text: String) -> [UInt8] {
        Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    static func message(_ text: String) -> MIMEMessage { MIMEMessage(crlf(text)) }

    /// The part layout of the RFC 3501 §6.4.5 example.
    static let rfc3501Example = """
        From: Alice <alice@example.com>
        Subject: test
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        preamble
        --outer
        Content-Type: text/plain

        part 1
        --outer
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: base64

        AAEC
        --outer
        Content-Type: message/rfc822

        Subject: inner3
        Content-Type: multipart/mixed; boundary="m3"

        --m3

        part 3.1
        --m3
        Content-Type: application/octet-stream

        part 3.2
        --m3--
        --outer
        Content-Type: multipart/mixed; boundary="p4"

        --p4
        Content-Type: image/gif

        GIF89a
        --p4
        Content-Type: message/rfc822

        Subject: inner4.2
        Content-Type: multipart/mixed; boundary="m42"

        --m42
        Content-Type: text/plain

        part 4.2.1
        --m42
        Content-Type: multipart/alternative; boundary="alt"

        --alt
        Content-Type: text/plain

        part 4.2.2.1
        --alt
        Content-Type: text/richtext

        part 4.2.2.2
        --alt--
        --m42--
        --p4--
        --outer--
        epilogue

        """
}

extension MIMEMessage {
    func string(_ part: [Int], _ text: MessageSection.Text? = nil) -> String? {
        bytes(of: MessageSection(part: part, text: text)).map { String(decoding: $0, as: UTF8.self) }
    }
}
