import Core
import Queue
import ServiceLifecycle

/// Runs `body` at once and then again after each `interval()` until the service group shuts down
/// gracefully or the task is cancelled; a shutdown, or `wake` notified by someone else, ends the
/// wait at once. The loop of Posta's housekeeping services (login log purge, orphan sweep,
/// revocation watcher).
func repeatUntilShutdown(
    wake: WakeSignal = WakeSignal(), every interval: @autoclosure () -> Duration, _ body: () async -> Void
) async {
    await withGracefulShutdownHandler {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await body()
            await wake.wait(timeout: interval())
        }
    } onGracefulShutdown: {
        wake.notify()
    }
}
