import Core
import Lists
import Logging
import ServiceLifecycle

/// The mailing lists' housekeeping, every `interval` (ten minutes): members taken from the
/// directory brought in line, digests due by their period sent (one due by size goes out as
/// the post that fills it is queued; this round also catches one whose sending failed then),
/// bounce warnings sent and members removed after the last, held posts past their
/// list's hold-days discarded. Any node may run it: each step
/// claims its rows in the transaction that acts, so it happens once.
struct ListMaintenance: Service {
    let transport: ListTransport
    var interval: Duration = .seconds(600)
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) {
            await transport.syncDirectoryMembers()
            await transport.sendDueDigests(now: UnixTime.now())
            await transport.processBounceWarnings(now: UnixTime.now())
            do {
                try await transport.expireHeld(now: UnixTime.now())
            } catch {
                logger.error("held posts not expired", metadata: ["error": "\(error)"])
            }
        }
    }
}
