import Core
import SQLKit

/// Reads the queue's textual columns back into their types, in one place: kinds and statuses are
/// their raw values, DSN and body parameters their RFC spelling, ORCPT `type;address` decoded
/// (`MailQueue.commit` writes them).
enum QueueColumns {
    /// A column holding an enum's raw value; a value this version does not know is an error.
    static func value<T: RawRepresentable>(_ type: T.Type, _ row: any SQLRow, _ column: String) throws -> T
    where T.RawValue == String {
        let text = try row.decode(column: column, as: String.self)
        guard let value = T(rawValue: text) else { throw QueueColumnError(column: column, value: text) }
        return value
    }

    /// `queue_message.body`; a value it cannot read counts as 8-bit, the safe side for relaying.
    static func body(_ row: any SQLRow) throws -> MessageBodyType {
        MessageBodyType(text: try row.decode(column: "body", as: String.self)) ?? .eightBitMIME
    }

    /// `queue_message.dsn_ret`; NULL when RET was not given.
    static func dsnRet(_ row: any SQLRow) throws -> DSNReturn? {
        try row.decode(column: "dsn_ret", as: String?.self).flatMap(DSNReturn.init(text:))
    }

    /// `queue_recipient.orcpt`; NULL when ORCPT was not given.
    static func orcpt(_ row: any SQLRow) throws -> DSNOriginalRecipient? {
        try row.decode(column: "orcpt", as: String?.self).flatMap(DSNOriginalRecipient.init(text:))
    }

    /// `queue_recipient.notify`; NULL when NOTIFY was not given.
    static func notify(_ row: any SQLRow) throws -> DSNNotify? {
        try row.decode(column: "notify", as: String?.self).flatMap(DSNNotify.init(text:))
    }
}

/// A queue row holds a kind or status this version does not know (written by a newer one).
public struct QueueColumnError: Error, Equatable, CustomStringConvertible {
    public let column: String
    public let value: String

    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }

    public var description: String { "queue column \(column) has unknown value '\(value)'" }
}
