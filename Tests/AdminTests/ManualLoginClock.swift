import Core
import Directory
import Foundation

/// A `LoginClock` that moves only when told, and records the delays it was asked to wait instead
/// of waiting them.
final class ManualLoginClock: LoginClock, @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private let startUnix = UnixTime.now()
    private var offset: Duration = .zero
    private var waited: [Duration] = []

    var now: ContinuousClock.Instant { lock.withLock { start + offset } }
    var unixTime: Int64 { lock.withLock { startUnix + offset.components.seconds } }

    func sleep(for duration: Duration) async {
        lock.withLock { waited.append(duration) }
    }

    func advance(_ duration: Duration) {
        lock.withLock { offset += duration }
    }

    /// The delays asked for so far, emptied.
    func takeSleeps() -> [Duration] {
        lock.withLock {
            defer { waited = [] }
            return waited
        }
    }
}
