import Crypto
import Foundation
import Testing

@testable import MailAuth

/// RFC 6376 §3.4: header and body canonicalization, with the example of §3.4.5.
@Suite("DKIM canonicalization")
struct DKIMCanonicalizationTests {
    /// §3.4.5's example message, "<SP>" and "<HTAB>" spelt out.
    static let example = Array(
        "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n".utf8)

    private func body(_ canonicalization: DKIMCanonicalization, _ octets: [UInt8], chunks: [Int] = []) -> [UInt8] {
        // The canonical body is recovered through a hasher limited to each prefix length: the
        // digests agree with SHA-256 of the expected text.
        var hasher = DKIMBodyHasher(canonicalization: canonicalization)
        var start = 0
        for size in chunks where start < octets.count {
            let end = min(start + size, octets.count)
            hasher.update(octets[start..<end])
            start = end
        }
        hasher.update(octets[start...])
        return hasher.finish().digest()!
    }

    private func sha256(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

    @Test func headerExampleOfSection345() {
        let header = DKIMMessageHeader(parsing: Self.example)
        #expect(header.fields.count == 2)
        let relaxed = header.fields.flatMap { $0.canonical(.relaxed) }
        #expect(String(decoding: relaxed, as: UTF8.self) == "a:X\r\nb:Y Z\r\n")
        let simple = header.fields.flatMap { $0.canonical(.simple) }
        #expect(String(decoding: simple, as: UTF8.self) == "A: X\r\nB : Y\t\r\n\tZ  \r\n")
    }

    @Test func bodyExampleOfSection345() {
        let header = DKIMMessageHeader(parsing: Self.example)
        let bodyOctets = Array(Self.example[header.bodyOffset...])
        #expect(String(decoding: bodyOctets, as: UTF8.self) == " C \r\nD \t E\r\n\r\n\r\n")
        #expect(body(.relaxed, bodyOctets) == sha256(" C\r\nD E\r\n"))
        #expect(body(.simple, bodyOctets) == sha256(" C \r\nD \t E\r\n"))
    }

    @Test func chunkBoundariesDoNotMatter() {
        let bodyOctets = Array(" C \r\nD \t E\r\n\r\nx\r\r\n\r\n\r\n".utf8)
        for canonicalization in DKIMCanonicalization.allCases {
            let whole = body(canonicalization, bodyOctets)
            for size in 1...7 {
                #expect(body(canonicalization, bodyOctets, chunks: Array(repeating: size, count: 40)) == whole)
            }
        }
    }

    @Test func emptyBodies() {
        // §3.4.3: simple makes an empty body one CRLF; §3.4.4 (erratum 1384): relaxed leaves it empty.
        #expect(body(.simple, []) == sha256("\r\n"))
        #expect(body(.relaxed, []) == sha256(""))
        #expect(body(.simple, Array("\r\n\r\n".utf8)) == sha256("\r\n"))
        #expect(body(.relaxed, Array(" \r\n\t\r\n".utf8)) == sha256(""))
        // A body without a final CRLF gets one.
        #expect(body(.simple, Array("abc".utf8)) == sha256("abc\r\n"))
        #expect(body(.relaxed, Array("abc \t".utf8)) == sha256("abc\r\n"))
    }

    @Test func bareCRAndLFAreContent() {
        #expect(body(.simple, Array("a\rb\nc\r\n".utf8)) == sha256("a\rb\nc\r\n"))
        #expect(body(.relaxed, Array("a \r\r\n".utf8)) == sha256("a \r\r\n"))
    }

    @Test func lengthLimitsHashPrefixes() {
        var hasher = DKIMBodyHasher(canonicalization: .relaxed, lengths: [nil, 3, 100])
        hasher.update(Array("Hello  world\r\n\r\n".utf8))
        let digests = hasher.finish()
        #expect(digests.canonicalLength == 13)
        #expect(digests.digest() == sha256("Hello world\r\n"))
        #expect(digests.digest(length: 3) == sha256("Hel"))
        #expect(digests.digest(length: 100) == sha256("Hello world\r\n"))
        #expect(digests.digest(length: 5) == nil)
    }

    @Test func relaxedHeaderUnfoldsAndSquashes() {
        let field = DKIMHeaderField(raw: Array("SUBJECT \t:  a  \r\n\t b\t\r\n".utf8))
        #expect(field.name == "subject")
        #expect(String(decoding: field.canonical(.relaxed), as: UTF8.self) == "subject:a b\r\n")
    }

    @Test func lineEndsAreNormalized() {
        let normalized = DKIMMessageHeader.normalizingLineEnds(Array("a\nb\r\nc\rd\n".utf8))
        #expect(String(decoding: normalized, as: UTF8.self) == "a\r\nb\r\nc\rd\r\n")
    }
}
