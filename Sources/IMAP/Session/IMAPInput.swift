/// Client input, framed by the adapter's `IMAPFramer`.
public enum IMAPInput: Sendable, Equatable {
    /// A complete command (line plus literals), not yet parsed: the session parses it with the
    /// options in force when it gets to it (UTF8=ACCEPT may have been enabled meanwhile).
    case frame([UInt8])
    /// A line read in line mode (after `IMAPAction.expectLine`: AUTHENTICATE data, IDLE's `DONE`).
    case line([UInt8])
    /// A command the framer refused (too long, literal too big).
    case framingError(IMAPFramingError)
}
