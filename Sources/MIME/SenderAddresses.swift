/// One address that names the sender of a message, and the field it is in.
public struct SenderAddress: Sendable, Hashable {
    /// The field name as written (`From`, `Sender`, `Resent-From`, `Resent-Sender`).
    public var field: String
    /// The addr-spec (`local@domain`), as `EnvelopeAddress.addressSpec` gives it.
    public var address: String
}

extension Header {
    /// Fields that name who sent a message (RFC 5322 §3.6.2; resent fields §3.6.6).
    public static let senderFieldNames = ["from", "sender", "resent-from", "resent-sender"]

    /// Every address of every sender field, in order, read strictly: readers differ in which From: of
    /// several they show (IMAP ENVELOPE takes the first, others the last), so all count. Throws when a
    /// sender field cannot be read without guessing (see `HeaderField.strictAddresses`).
    public func senderAddresses() throws(HeaderDefect) -> [SenderAddress] {
        var result: [SenderAddress] = []
        for field in fields where Header.senderFieldNames.contains(field.lowercasedName) {
            for spec in try field.strictAddresses().compactMap(\.addressSpec) {
                result.append(SenderAddress(field: field.name, address: spec))
            }
        }
        return result
    }

    /// The sender addresses of a message whose first bytes are `bytes` (at least `maxHeaderBytes + 1`
    /// of them when the message is longer), with the header read by `parseStrictly`.
    public static func senderAddresses(
        inMessagePrefix bytes: [UInt8], limits: MIMEParseLimits = .default
    ) throws(HeaderDefect) -> [SenderAddress] {
        try parseStrictly(bytes, limits: limits).header.senderAddresses()
    }
}
