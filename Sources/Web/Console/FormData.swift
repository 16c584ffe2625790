/// The fields of an `application/x-www-form-urlencoded` body or a query string, parsed as the
/// WHATWG URL Standard §5.1 says (the format HTML forms send, RFC 1866 §8.2.1): `&`-separated
/// `name=value` pairs, `+` for a space, `%XX` byte escapes, then UTF-8 (invalid bytes become
/// U+FFFD). A name may repeat (checkboxes); order is kept.
public struct FormData: Sendable, Equatable {
    /// The most fields one request may carry (a bulk queue action with every row ticked fits).
    public static let maxFields = 2000

    public private(set) var fields: [(name: String, value: String)]
    /// The files of a `multipart/form-data` body (`ConsoleUpload`), by field name.
    public internal(set) var files: [String: [UInt8]] = [:]
    /// Every file of a `multipart/form-data` body, in order, with its name and declared type.
    public internal(set) var uploads: [UploadedFile] = []

    /// Parses `text`; at most `maxFields` pairs are kept, the rest are dropped.
    public init(urlEncoded text: Substring) {
        fields = []
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            if fields.count >= Self.maxFields { break }
            let name: Substring
            let value: Substring
            if let eq = pair.firstIndex(of: "=") {
                name = pair[..<eq]
                value = pair[pair.index(after: eq)...]
            } else {
                name = pair
                value = ""
            }
            fields.append((Self.decode(name), Self.decode(value)))
        }
    }

    public init(urlEncoded text: String) { self.init(urlEncoded: text[...]) }

    /// The first value of `name`, nil when absent.
    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// The first value of `name` with surrounding white space removed; nil when absent or empty.
    public func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// Every value of `name`, in order.
    public func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    public static func == (lhs: FormData, rhs: FormData) -> Bool {
        lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
            && lhs.files == rhs.files
    }

    /// A form of text fields and files (a parsed `multipart/form-data` body).
    init(fields: [(name: String, value: String)], files: [String: [UInt8]], uploads: [UploadedFile] = []) {
        self.fields = fields
        self.files = files
        self.uploads = uploads
    }

    /// WHATWG URL §5.1 step 3.3-3.4: `+` → space, then percent-decode bytes; a `%` not followed by
    /// two hex digits stays as it is.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2, let high = hexValue(utf8[utf8.startIndex]),
                let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-encodes `text` for a query string or a cookie value (everything but unreserved
    /// characters, RFC 3986 §2.3).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// A file sent in a `multipart/form-data` form (RFC 7578 §4.2): its field, the name the browser
/// gave (the user's file name, without its folders), the declared media type, the bytes.
public struct UploadedFile: Sendable, Equatable {
    public var field: String
    public var filename: String
    public var contentType: String
    public var bytes: [UInt8]
}
