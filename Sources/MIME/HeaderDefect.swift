/// Why a header section cannot be read the same way by every reader (MIME parser, IMAP ENVELOPE, other
/// MTAs and mail clients). `Header.parseStrictly` reports the first one it meets; the lenient parser that
/// stored mail goes through tolerates them all, so code that must agree with every reader (the submission
/// sender check) refuses such a header instead.
public enum HeaderDefect: Error, Sendable, Hashable, CustomStringConvertible {
    /// The header section (up to and including its empty line) is larger than `maxHeaderBytes`.
    case tooLarge(limit: Int)
    /// An LF not preceded by CR (RFC 5322 §2.3: only CRLF ends a line; some readers split there, others not).
    case bareLineFeed(line: Int)
    /// A CR not followed by LF.
    case bareCarriageReturn(line: Int)
    /// NUL anywhere in the header (RFC 5322 §4.1 obs-text allows other controls, and old mailers put raw
    /// ISO-2022-JP with its ESC bytes in Subject:, but a NUL ends the text for C-string readers).
    case nul(line: Int)
    /// A control character other than HTAB, or DEL, in an address field: it can hide or move text on display.
    case controlCharacterInField(field: String)
    /// A line that is neither a field (`name: value`, RFC 5322 §3.6.8, obs WSP before the colon §4.5.3)
    /// nor a continuation: no colon, an empty name, or a space or 8-bit byte inside the name.
    case notAField(line: Int)
    /// The first line starts with whitespace: a continuation of nothing.
    case leadingContinuation
    /// A line of only whitespace (obs-FWS, RFC 5322 §4.2): some readers end the header there.
    case blankContinuation(line: Int)
    /// An address field that is not valid UTF-8 (RFC 6532) — readers would decode it differently.
    case invalidUTF8(field: String)
    /// An address field whose list does not parse without skipping or guessing (RFC 5322 §3.4).
    case malformedAddressList(field: String)
    /// An RFC 2047 encoded word where readers disagree: inside an addr-spec (RFC 2047 §5 forbids it) or
    /// in a display name that decodes to address syntax (`<`, `>`, `@`).
    case encodedAddress(field: String)

    public var description: String {
        switch self {
        case .tooLarge(let limit): "header section larger than \(limit) bytes"
        case .bareLineFeed(let line): "bare LF in header line \(line)"
        case .bareCarriageReturn(let line): "bare CR in header line \(line)"
        case .nul(let line): "NUL in header line \(line)"
        case .controlCharacterInField(let field): "\(field): control character in an address field"
        case .notAField(let line): "header line \(line) is not a field"
        case .leadingContinuation: "header starts with a continuation line"
        case .blankContinuation(let line): "header line \(line) holds only whitespace"
        case .invalidUTF8(let field): "\(field): field is not valid UTF-8"
        case .malformedAddressList(let field): "\(field): malformed address list"
        case .encodedAddress(let field): "\(field): encoded word in an address"
        }
    }
}

extension Header {
    /// Reads the header section at the start of `bytes` only if every reader would read it alike: lines
    /// end in CRLF, no NUL, every line a field or a non-blank continuation, and the whole
    /// section (with its empty line) within `limits.maxHeaderBytes`. `bytes` may be a prefix of the message
    /// as long as it holds at least `maxHeaderBytes + 1` bytes when the message is longer. Returns the
    /// fields (as `parse` reads them) and where the body starts.
    public static func parseStrictly(_ bytes: [UInt8], limits: MIMEParseLimits = .default) throws(HeaderDefect)
        -> (header: Header, bodyStart: Int)
    {
        var index = 0
        var line = 1
        var end = bytes.count
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] != ASCII.cr {
                let byte = bytes[index]
                if byte == ASCII.lf { throw .bareLineFeed(line: line) }
                if byte == 0 { throw .nul(line: line) }
                index += 1
            }
            if index < bytes.count, index + 1 == bytes.count || bytes[index + 1] != ASCII.lf {
                // A CR at the very end of a prefix may be cut from its LF; beyond the limit it does not matter.
                if index + 1 < bytes.count || bytes.count <= limits.maxHeaderBytes {
                    throw .bareCarriageReturn(line: line)
                }
            }
            let next = min(index + 2, bytes.count)
            if next > limits.maxHeaderBytes { throw .tooLarge(limit: limits.maxHeaderBytes) }
            if index == start {
                end = next  // RFC 5322 §2.1: the empty line ends the header section
                break
            }
            if ASCII.isWSP(bytes[start]) {
                if line == 1 { throw .leadingContinuation }
                if bytes[start..<index].allSatisfy(ASCII.isWSP) { throw .blankContinuation(line: line) }
            } else if !isStrictFieldStart(bytes[start..<index]) {
                throw .notAField(line: line)
            }
            line += 1
            index = next
        }
        return parse(bytes, in: 0..<end)
    }

    /// `field-name *WSP ":"` (RFC 5322 §3.6.8 ftext, §4.5.3 obs-optional): printable ASCII name, then
    /// optional whitespace, then the colon.
    private static func isStrictFieldStart(_ line: ArraySlice<UInt8>) -> Bool {
        var index = line.startIndex
        while index < line.endIndex, line[index] > 0x20, line[index] < 0x7F, line[index] != ASCII.colon { index += 1 }
        guard index > line.startIndex else { return false }
        while index < line.endIndex, ASCII.isWSP(line[index]) { index += 1 }
        return index < line.endIndex && line[index] == ASCII.colon
    }
}

extension HeaderField {
    /// The addresses of an address field (From, Sender, Resent-From, …; RFC 5322 §3.6.2) read strictly:
    /// valid UTF-8 without control characters, a list that parses without skipping anything, at least one
    /// mailbox, and no encoded word that readers could take for an address. Group markers are kept; `addressSpec` gives the mailboxes.
    public func strictAddresses() throws(HeaderDefect) -> [EnvelopeAddress] {
        guard String(validating: valueBytes, as: UTF8.self) != nil else { throw .invalidUTF8(field: name) }
        if valueBytes.contains(where: { $0 < 0x20 && $0 != ASCII.tab || $0 == 0x7F }) {
            throw .controlCharacterInField(field: name)
        }
        guard let list = AddressListParser.parseCleanly(valueBytes), list.contains(where: { $0.addressSpec != nil })
        else { throw .malformedAddressList(field: name) }
        for address in list {
            if let spec = address.addressSpec, spec.contains("=?") { throw .encodedAddress(field: name) }
            if let display = address.name, display.contains("=?"),
                EncodedWord.decode(Array(display.utf8)).contains(where: { "<>@".contains($0) })
            {
                throw .encodedAddress(field: name)
            }
        }
        return list
    }
}
