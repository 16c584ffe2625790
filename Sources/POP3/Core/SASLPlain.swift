/// RFC 4648 §4 base64, strict: no whitespace, correct padding.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    public static func decode(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 3)
        var index = 0
        while index < bytes.count {
            let quad = bytes[index..<index + 4]
            let last = index + 4 == bytes.count
            var acc: UInt32 = 0
            var padding = 0
            for (k, c) in quad.enumerated() {
                if c == 0x3D {
                    guard last, k >= 2 else { return nil }
                    padding += 1
                    acc <<= 6
                } else {
                    guard padding == 0 else { return nil }
                    let v = values[Int(c)]
                    guard v >= 0 else { return nil }
                    acc = acc << 6 | UInt32(v)
                }
            }
            out.append(UInt8(acc >> 16 & 0xFF))
            if padding < 2 { out.append(UInt8(acc >> 8 & 0xFF)) }
            if padding < 1 { out.append(UInt8(acc & 0xFF)) }
            index += 4
        }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let n = min(3, bytes.count - index)
            var acc: UInt32 = 0
            for k in 0..<3 { acc = acc << 8 | UInt32(k < n ? bytes[index + k] : 0) }
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int(acc >> UInt32(18 - 6 * k) & 0x3F)] : 0x3D)
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// RFC 4616 PLAIN: `[authzid] NUL authcid NUL passwd`, UTF-8.
public struct SASLPlainCredentials: Sendable, Hashable {
    public var authorizationID: String
    public var authenticationID: String
    public var password: String

    public init?(_ message: [UInt8]) {
        let parts = message.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty,
            let authz = String(validating: parts[0], as: UTF8.self),
            let authc = String(validating: parts[1], as: UTF8.self),
            let password = String(validating: parts[2], as: UTF8.self)
        else { return nil }
        authorizationID = authz
        authenticationID = authc
        self.password = password
    }
}
