import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226): HMAC-SHA1, 30-second steps
/// from the Unix epoch, 6 digits — what authenticator apps use by default.
public struct TOTP: Sendable, Hashable {
    /// RFC 6238 §4.1: X, the time step in seconds.
    public static let step: Int64 = 30
    public static let digits = 6
    /// RFC 6238 §5.2: codes of one step before and after are accepted (clock drift).
    public static let window: Int64 = 1

    public let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A new random 160-bit secret (RFC 4226 §4, R6 recommends 160 bits).
    public static func random() -> TOTP {
        var generator = SystemRandomNumberGenerator()
        return TOTP(secret: (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// RFC 6238 §4.2: T = floor((unix time - T0) / X), T0 = 0.
    public static func counter(at unixTime: Int64) -> Int64 { unixTime >= 0 ? unixTime / step : 0 }

    /// The code for time step `counter`: RFC 4226 §5.3 (HMAC over the 8-byte big-endian
    /// counter, dynamic truncation, modulo 10^digits), `digits` long with leading zeros.
    public func code(counter: Int64, digits: Int = TOTP.digits) -> String {
        var big = UInt64(bitPattern: counter).bigEndian
        let message = withUnsafeBytes(of: &big) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// The time step `code` is valid for at `unixTime` (± `window` steps), or nil. The caller
    /// refuses a step not after the last one accepted (RFC 6238 §5.2: one use per code).
    public func matchingStep(_ code: String, at unixTime: Int64) -> Int64? {
        let code = code.filter { !$0.isWhitespace }
        guard code.count == Self.digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let now = Self.counter(at: unixTime)
        for candidate in (now - Self.window)...(now + Self.window) where candidate >= 0 {
            // Compare every candidate's digits in constant time.
            if constantTimeEqual(Array(self.code(counter: candidate).utf8), Array(code.utf8)) { return candidate }
        }
        return nil
    }

    /// The `otpauth://` URI authenticator apps scan (Key Uri Format, as Google Authenticator
    /// documents it): issuer and account label, base32 secret, the algorithm, digits and period.
    public func uri(issuer: String, account: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~@"))
        let label = (issuer + ":" + account).addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerQuery = issuer.addingPercentEncoding(withAllowedCharacters: allowed) ?? issuer
        return
            "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerQuery)&algorithm=SHA1&digits=\(Self.digits)&period=\(Self.step)"
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}

/// Base32 (RFC 4648 §6), upper case, without padding, as TOTP secrets are shown.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes, ignoring case, spaces and padding; nil for any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for c in text.uppercased().utf8 where c != UInt8(ascii: " ") && c != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: c) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return out
    }
}
