import Core
import Directory
import Logging
import ServiceLifecycle

/// Keeps the login log to its retention (`auth.log_retention`, 90 days by default): once at start
/// and then every `interval` (an hour), it deletes older `login_event` rows in bounded batches, and
/// session revocations older than a day. Any node may run it; deleting twice is harmless.
public struct LoginLogPurge: Service {
    public let loginLog: LoginLog
    public let directory: Directory
    public let retention: Int64
    public let interval: Duration
    let logger: Logger

    public init(loginLog: LoginLog, directory: Directory, retention: Int64, interval: Duration = .seconds(3600), logger: Logger) {
        self.loginLog = loginLog
        self.directory = directory
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await purgeOnce(now: UnixTime.now()) }
    }

    /// One purge as of `now` (seconds since 1970).
    public func purgeOnce(now: Int64) async {
        do {
            let deleted = try await loginLog.purge(before: now - retention)
            if deleted > 0 { logger.info("login log purged", metadata: ["deleted": "\(deleted)"]) }
            try await directory.purgeRevocations(before: now - 86400)
        } catch {
            logger.warning("login log purge failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
