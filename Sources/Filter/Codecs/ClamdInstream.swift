/// clamd's INSTREAM command (clamd(8)): `zINSTREAM\0`, then chunks each prefixed by a 4-byte
/// big-endian length, then a zero length; clamd answers one line and closes.
public enum ClamdInstream {
    /// What clamd said about the stream.
    public enum Reply: Sendable, Equatable {
        case clean
        /// A signature matched; its name (printable ASCII only, at most 200 characters).
        case infected(String)
        /// clamd could not scan (size limit exceeded, database problem, …).
        case error(String)
    }

    /// The command, null-terminated (`z` prefix).
    public static let command: [UInt8] = Array("zINSTREAM".utf8) + [0]
    /// The zero-length chunk that ends the stream.
    public static let end: [UInt8] = [0, 0, 0, 0]
    /// Longest reply accepted (one status line).
    public static let maxReply = 4096

    /// A chunk of the message with its length prefix.
    public static func frame(_ chunk: [UInt8]) -> [UInt8] {
        let n = UInt32(chunk.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + chunk
    }

    /// Reads `stream: OK`, `stream: <name> FOUND` or `… ERROR`; nil for anything else.
    public static func parse(_ bytes: [UInt8]) -> Reply? {
        guard !bytes.isEmpty, bytes.count <= maxReply else { return nil }
        var end = bytes.endIndex
        while end > bytes.startIndex, [0, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
        let line = bytes[..<end]
        guard !line.contains(0), !line.contains(0x0A), let text = String(validating: line, as: UTF8.self) else { return nil }
        if text.hasSuffix(" ERROR") {
            return .error(printable(String(text.dropLast(6))))
        }
        // `stream: …` (or `fd[n]: …` in some versions): the status follows the first ": ".
        guard let colon = text.range(of: ": ") else { return nil }
        let status = text[colon.upperBound...]
        if status == "OK" { return .clean }
        if status.hasSuffix(" FOUND") {
            let name = printable(String(status.dropLast(6)))
            return name.isEmpty ? nil : .infected(name)
        }
        return nil
    }

    /// Text that may go into an SMTP reply: printable ASCII, at most 200 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(200)))
            .trimmingCharacters(in: " ")
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var slice = Substring(self)
        while slice.first == character { slice = slice.dropFirst() }
        while slice.last == character { slice = slice.dropLast() }
        return String(slice)
    }
}
