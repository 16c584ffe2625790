import Core
import Logging
import MailAuth

/// What modules need besides the request: the database for shared state, the clock, who we
/// are (for "claims to be us"), and an SPF checker (nil: SPF rules have no effect).
public struct PolicyContext: Sendable {
    public let database: Database
    /// This server's host name, as in its greeting.
    public let hostname: String
    public let spf: SPFChecker?
    public let now: @Sendable () -> Int64
    public let logger: Logger

    public init(
        database: Database, hostname: String, spf: SPFChecker?, now: @escaping @Sendable () -> Int64 = UnixTime.now,
        logger: Logger
    ) {
        self.database = database
        self.hostname = hostname
        self.spf = spf
        self.now = now
        self.logger = logger
    }
}

/// The start of the fixed window of `period` seconds that `time` falls in.
func windowStart(_ time: Int64, period: Int64) -> Int64 {
    period > 0 ? time - time % period : 0
}
