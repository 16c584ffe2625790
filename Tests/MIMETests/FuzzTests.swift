import PostaTestSupport
import Testing

@testable import MIME

/// Random mutations of sample messages: parsing must never trap and every range must stay inside the input.
@Suite struct FuzzTests {
    static let fragments: [[UInt8]] = [
        "\r\n", "\n", "--", "--outer", "--outer--", "--b1\r\n", ":", ";", "\"", "=?utf-8?q?", "?=", "=", "(", ")", "<",
        ">", "@", "Content-Type: multipart/mixed; boundary=b1\r\n", "Content-Type: message/rfc822\r\n\r\n",
        "\r\n\r\n", " ", "\u{00e9}", "*0*=", "%", "'",
    ].map { Array($0.utf8) }

    @Test func mutatedMessagesParseWithinBounds() {
        var random = SeededGenerator(state: 2045)
        let samples = [Fixtures.crlf(Fixtures.rfc3501Example), Fixtures.crlf(BodyStructureTests.nested)]
        for iteration in 0..<2_000 {
            var bytes = samples[iteration % samples.count]
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.insert(contentsOf: Self.fragments.randomElement(using: &random)!, at: position)
                case 1 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
                case 2:
                    let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                    bytes.removeSubrange(position..<end)
                default:
                    let end = min(bytes.count, position + Int.random(in: 1...200, using: &random))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                }
            }
            check(MIMEMessage(bytes))
        }
    }

    private func check(_ message: MIMEMessage) {
        let bounds = 0...message.bytes.count
        func visit(_ entity: MIMEEntity, path: [Int]) {
            for range in [entity.range, entity.headerRange, entity.bodyRange] + entity.header.fields.map(\.range) {
                #expect(bounds.contains(range.lowerBound) && bounds.contains(range.upperBound))
            }
            #expect(entity.headerRange.upperBound == entity.bodyRange.lowerBound)
            _ = message.plainText(of: entity)
            _ = message.bytes(of: MessageSection(part: path, text: .headerFields(["subject", "from"])))
            _ = message.bytes(of: MessageSection(part: path, text: .mime))
            for (index, part) in entity.parts.enumerated() { visit(part, path: path + [index + 1]) }
            if let inner = entity.encapsulatedMessage {
                _ = Envelope(header: inner.header)
                visit(inner, path: path)
            }
        }
        visit(message.root, path: [])
        _ = message.bodyStructure
        _ = message.envelope
        _ = message.searchText
    }

    @Test func longLinesAndManyBoundariesStayLinear() {
        let longLine = [UInt8](repeating: 0x61, count: 2_000_000)
        let message = MIMEMessage(Array("Subject: ".utf8) + longLine + Array("\r\n\r\n".utf8) + longLine)
        #expect(message.header.fields.count == 1)
        var many = Array("Content-Type: multipart/mixed; boundary=b\r\n\r\n".utf8)
        for _ in 0..<20_000 { many += Array("--b\r\n\r\n--bb\r\n".utf8) }
        #expect(MIMEMessage(many).root.parts.count == 4_999)
    }
}
