import SQLKit

/// Rows another module keeps beside each message row (the webmail's list summaries), written in
/// the store's own transactions, so that they exist exactly when the message does: a delivery,
/// an APPEND or a COPY/MOVE commits the message and its companion rows together or neither.
///
/// A companion must be quick and must not fail on hostile content: it runs inside the index
/// transaction, and an error it throws aborts the append or copy.
public protocol MessageCompanion: Sendable {
    /// The message `messageID` was inserted into `mailboxID`; `header` is its header section
    /// (empty when the file could not be read back).
    func added(_ db: any SQLDatabase, _ message: AddedMessage) async throws

    /// Messages were copied into `mailboxID`: each pair is the source row and its new row.
    func copied(_ db: any SQLDatabase, mailboxID: Int64, pairs: [(source: Int64, copy: Int64)]) async throws
}

/// A message row just inserted, as a `MessageCompanion` sees it.
public struct AddedMessage: Sendable {
    public var id: Int64
    public var mailboxID: Int64
    public var internalDate: Int64
    public var size: Int64
    /// The header section, up to the empty line.
    public var header: [UInt8]
}
