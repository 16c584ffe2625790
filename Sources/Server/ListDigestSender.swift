import Core
import Lists
import Logging
import ServiceLifecycle

/// Sends the mailing lists' digests that are due by their period (`digest_period`), every
/// `interval` (ten minutes). A digest due by size goes out as the post that fills it is
/// queued; this round also catches one whose sending failed then. Any node may run it: an
/// issue's posts are claimed in the transaction that queues it, so it goes out once.
struct ListDigestSender: Service {
    let transport: ListTransport
    var interval: Duration = .seconds(600)
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(every: interval) { await transport.sendDueDigests(now: UnixTime.now()) }
    }
}
