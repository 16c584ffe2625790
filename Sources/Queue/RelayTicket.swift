import Crypto
import Foundation

/// Relay tickets carry "an authenticated user may relay this to that recipient" through an
/// external content filter (docs/filter.md). Mail submitted for another domain is handed to the
/// filter with one `X-Posta-Relay` field per such recipient; the filter re-injects it on a
/// listener with `filter = false`, which relays to another domain only for a recipient whose
/// ticket verifies (RFC 5321 §3.6.1: relaying only for authorised clients) and drops the fields
/// before anything is delivered. A client without tickets — anyone else who can reach that
/// listener — can relay nothing.
///
/// Field value: `<expiry> <recipient> <mac>`, the MAC an HMAC-SHA256 under the site's key
/// (`MailQueue.relayTicketKey`, shared by every node) over the expiry, reverse-path and recipient.
public enum RelayTicket {
    public static let fieldName = "X-Posta-Relay"
    /// How long a ticket is good for: the queue's default expiry with room for the filter's own queue.
    public static let lifetime: Int64 = 7 * 86400

    /// The header field line (CRLF-ended) for one recipient.
    public static func field(key: SymmetricKey, reversePath: String, recipient: String, now: Int64) -> String {
        let expires = now + lifetime
        let code = mac(key: key, expires: expires, reversePath: reversePath, recipient: recipient)
        return "\(fieldName): \(expires) \(recipient) \(code)\r\n"
    }

    /// Whether one of `values` (unfolded field values) is a ticket for this reverse-path and
    /// recipient that has not expired.
    public static func isValid(_ values: [String], key: SymmetricKey, reversePath: String, recipient: String, now: Int64) -> Bool
    {
        values.contains { value in
            let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard parts.count == 3, let expires = Int64(parts[0]), expires >= now,
                parts[1].lowercased() == recipient.lowercased(),
                let given = Data(base64Encoded: parts[2])
            else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(  // constant-time comparison
                given, authenticating: input(expires: expires, reversePath: reversePath, recipient: recipient), using: key)
        }
    }

    static func mac(key: SymmetricKey, expires: Int64, reversePath: String, recipient: String) -> String {
        let data = input(expires: expires, reversePath: reversePath, recipient: recipient)
        return Data(HMAC<SHA256>.authenticationCode(for: data, using: key)).base64EncodedString()
    }

    private static func input(expires: Int64, reversePath: String, recipient: String) -> Data {
        Data("posta-relay-1\0\(expires)\0\(reversePath.lowercased())\0\(recipient.lowercased())".utf8)
    }
}
