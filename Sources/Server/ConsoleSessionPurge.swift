import Admin
import Logging
import ServiceLifecycle

/// Deletes expired admin-console sessions (idle or past their lifetime, `[admin]`) every
/// `interval` (an hour): they are refused when presented anyway, this keeps the table small. Any
/// node may run it; deleting twice is harmless.
struct ConsoleSessionPurge: Service {
    let console: AdminConsole
    var interval: Duration = .seconds(3600)
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) {
            do {
                let deleted = try await console.purgeExpiredSessions()
                if deleted > 0 { logger.info("console sessions purged", metadata: ["deleted": "\(deleted)"]) }
            } catch {
                logger.warning("console session purge failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }
}
