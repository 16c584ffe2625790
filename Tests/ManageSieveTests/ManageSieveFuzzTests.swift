import PostaTestSupport
import Testing

@testable import ManageSieve

@Suite("ManageSieve: hostile input")
struct ManageSieveFuzzTests {
    static let pieces = [
        "AUTHENTICATE", "\"PLAIN\"", "PUTSCRIPT", "GETSCRIPT", "LISTSCRIPTS", "HAVESPACE", "NOOP", "LOGOUT", "STARTTLS",
        "UNAUTHENTICATE", "\"a\"", "\"\\\"\"", "{3+}\r\nabc", "{0}\r\n", "{99999999999+}", "{5+}", "\r\n", "\n", " ", "\"",
        "\\", "{", "}", "*", "\"*\"", "4294967296", "12", "\u{0}", "é", "AGFsaWNlAHNlY3JldA==", "(", ")",
    ]

    static func input(seed: UInt64) -> [UInt8] {
        var random = SeededGenerator(state: seed)
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...60, using: &random) {
            if Bool.random(using: &random) {
                bytes += Array(pieces.randomElement(using: &random)!.utf8)
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &random) { bytes.append(UInt8.random(in: 0...255, using: &random)) }
            }
        }
        return bytes
    }

    /// Feeds `bytes` in pieces cut by `random`, resolving effects with the fakes.
    static func run(_ bytes: [UInt8], loggedIn: Bool, cuts random: inout SeededGenerator?) -> String {
        var h = loggedIn ? Harness.loggedIn(maxScriptSize: 64) : Harness(maxScriptSize: 64)
        var out = ""
        var index = 0
        while index < bytes.count {
            let size = random.map { _ in Int.random(in: 1...16, using: &random!) } ?? bytes.count
            let end = min(bytes.count, index + size)
            out += h.send(Array(bytes[index..<end]))
            index = end
        }
        #expect(h.session.framer.bufferedByteCount <= 64 + 3 * 8 * 1024)
        return out
    }

    @Test("random commands never crash, and the output does not depend on how input is split", arguments: 0..<300)
    func fuzz(seed: UInt64) {
        let bytes = Self.input(seed: seed)
        for loggedIn in [false, true] {
            var whole: SeededGenerator? = nil
            var split: SeededGenerator? = SeededGenerator(state: seed &* 31 &+ 7)
            #expect(Self.run(bytes, loggedIn: loggedIn, cuts: &whole) == Self.run(bytes, loggedIn: loggedIn, cuts: &split))
        }
    }
}
