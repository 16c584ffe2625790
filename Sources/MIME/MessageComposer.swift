import Foundation

/// Writes new messages (RFC 5322, MIME RFC 2045-2049): header fields with RFC 2047 encoded words
/// where the text is not ASCII, a text/plain UTF-8 body in quoted-printable, and attachments in
/// base64 with RFC 2231 file names, under multipart/mixed when there are any. Lines end in CRLF
/// and stay within 78 characters (RFC 5322 §2.1.1) by folding.
public struct MessageComposer: Sendable {
    /// A file to attach.
    public struct Attachment: Sendable, Hashable {
        public var filename: String
        /// `type/subtype`; anything that is not a valid media type is sent as application/octet-stream.
        public var mimeType: String
        public var bytes: [UInt8]

        public init(filename: String, mimeType: String, bytes: [UInt8]) {
            self.filename = filename
            self.mimeType = mimeType
            self.bytes = bytes
        }
    }

    /// Header fields in order, values unencoded (this type encodes them).
    public var fields: [(name: String, value: FieldValue)] = []
    public var text: String = ""
    public var attachments: [Attachment] = []
    /// Makes the multipart boundary; random by default.
    public var boundary: String = "=_posta_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    /// How a field value is written.
    public enum FieldValue: Sendable, Hashable {
        /// Unstructured text (Subject): RFC 2047 encoded words when not ASCII.
        case text(String)
        /// Addresses (`name`, `address`): names quoted or encoded, addresses as given.
        case addresses([(name: String, address: String)])
        /// Written as given (Date, Message-ID, References): must be ASCII already.
        case raw(String)

        public static func == (lhs: FieldValue, rhs: FieldValue) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)), (.raw(let a), .raw(let b)): a == b
            case (.addresses(let a), .addresses(let b)): a.map(\.name) == b.map(\.name) && a.map(\.address) == b.map(\.address)
            default: false
            }
        }

        public func hash(into hasher: inout Hasher) {
            switch self {
            case .text(let text), .raw(let text): hasher.combine(text)
            case .addresses(let list): for entry in list { hasher.combine(entry.name + "\u{0}" + entry.address) }
            }
        }
    }

    public init() {}

    /// The message's bytes.
    public func bytes() -> [UInt8] {
        var out = ""
        for (name, value) in fields { out += Self.field(name, value) }
        out += "MIME-Version: 1.0\r\n"
        let textPart =
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + Self.quotedPrintable(text)
        if attachments.isEmpty {
            out += textPart
            return Array(out.utf8)
        }
        out += "Content-Type: multipart/mixed;\r\n boundary=\"\(boundary)\"\r\n\r\n"
        out += "This is a message in MIME format.\r\n"
        out += "--\(boundary)\r\n" + textPart + "\r\n"
        var bytes = Array(out.utf8)
        for attachment in attachments {
            let type = Self.isMediaType(attachment.mimeType) ? attachment.mimeType.lowercased() : "application/octet-stream"
            var header = "--\(boundary)\r\nContent-Type: \(type)"
            let isMessage = type == "message/rfc822"
            if !isMessage { header += ";\r\n name=\"\(ExtendedValue.asciiFallback(attachment.filename))\"" }
            header += "\r\nContent-Disposition: attachment;\r\n" + Self.filenameParameter(attachment.filename) + "\r\n"
            // RFC 2046 §5.2.1: message/rfc822 takes no encoding but 7bit/8bit/binary.
            header += isMessage ? "\r\n" : "Content-Transfer-Encoding: base64\r\n\r\n"
            bytes += Array(header.utf8)
            bytes += isMessage ? Self.crlfLines(attachment.bytes) : MIMEMessage.base64Lines(attachment.bytes)
            bytes += Array("\r\n".utf8)
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return bytes
    }

    // MARK: Header fields

    /// One header field, folded and CRLF-ended: text encoded as RFC 2047 words when not ASCII,
    /// display names quoted or encoded, control characters replaced by spaces.
    public static func field(_ name: String, _ value: FieldValue) -> String {
        switch value {
        case .raw(let text): return fold(name + ": " + clean(text))
        case .text(let text): return fold(name + ": " + encodedText(clean(text)))
        case .addresses(let list):
            let items = list.map { entry -> String in
                let name = clean(entry.name)
                guard !name.isEmpty else { return entry.address }
                return phrase(name) + " <" + entry.address + ">"
            }
            return fold(name + ": " + items.joined(separator: ", "))
        }
    }

    /// A display name: as an atom list when it is one, quoted when ASCII, else encoded words.
    static func phrase(_ name: String) -> String {
        if name.unicodeScalars.allSatisfy({ $0.isASCII }) {
            let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
            // "=?" in an atom would be read as an encoded word (RFC 2047 §5); quoted, it is text.
            if !name.contains("=?"), name.unicodeScalars.allSatisfy({ atext.contains($0) && $0.isASCII }) { return name }
            return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return encodedWords(name)
    }

    /// Unstructured text: as is when ASCII, else RFC 2047 encoded words.
    static func encodedText(_ text: String) -> String {
        text.unicodeScalars.allSatisfy({ $0.isASCII }) ? text : encodedWords(text)
    }

    /// `=?utf-8?b?…?=` words of at most 60 characters (RFC 2047 §2 allows 75; shorter ones fit a
    /// line with the field's name), split between characters.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if (chunk.count + bytes.count + 2) / 3 * 4 > 60 - 12, !chunk.isEmpty {
                words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?b?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// Folds a field at spaces so lines stay within 78 characters where it can (RFC 5322 §2.2.3).
    static func fold(_ line: String) -> String {
        var out = ""
        var current = ""
        for word in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty, current.count + 1 + word.count > 76 {
                out += current + "\r\n"
                current = " " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        return out + current + "\r\n"
    }

    /// Control characters (a CR or LF would start a new field) become spaces.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    // MARK: Bodies

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text with CRLF line breaks; lines of at most 76.
    static func quotedPrintable(_ text: String) -> String {
        var out = ""
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            var encoded = ""
            var length = 0
            let bytes = Array(line.utf8)
            for (position, byte) in bytes.enumerated() {
                let isLast = position == bytes.count - 1
                let piece: String
                if byte == 0x3D || byte >= 0x7F || (byte < 0x20 && byte != 0x09)
                    || (isLast && (byte == 0x20 || byte == 0x09)) || (length == 0 && byte == 0x2E)
                {
                    piece = "=" + ExtendedValue.hexDigits(byte)
                } else {
                    piece = String(UnicodeScalar(byte))
                }
                if length + piece.count > 75 {
                    encoded += "=\r\n"
                    length = 0
                }
                encoded += piece
                length += piece.count
            }
            out += encoded
            if index < lines.count - 1 { out += "\r\n" }
        }
        return out + "\r\n"
    }

    /// Bytes with every line break as CRLF (an attached message as SMTP carries it).
    static func crlfLines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 40)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 10 && previous != 13 { out.append(13) }
            out.append(byte)
            previous = byte
        }
        if out.last != 10 { out += [13, 10] }
        return out
    }

    // MARK: Parameters

    static func isMediaType(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let token = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$&-^_.+"))
        return parts.count == 2
            && parts.allSatisfy {
                !$0.isEmpty && $0.count <= 64 && $0.unicodeScalars.allSatisfy { $0.isASCII && token.contains($0) }
            }
    }

    /// `filename` as RFC 2231 §4 `filename*=utf-8''…` when it is not plain ASCII, also as a plain
    /// `filename` for older readers.
    static func filenameParameter(_ name: String) -> String {
        let fallback = " filename=\"\(ExtendedValue.asciiFallback(name))\""
        guard !name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }) else {
            return fallback
        }
        return fallback + ";\r\n filename*=utf-8''" + ExtendedValue.percentEncoded(name)
    }
}
