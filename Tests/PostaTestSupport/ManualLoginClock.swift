import Core
import Directory
import Foundation

/// A `LoginClock` that moves only when told, and records the delays it was asked to wait instead
/// of waiting them.
public final class ManualLoginClock: LoginClock, @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private let startUnix = UnixTime.now()
    private var offset: Duration = .zero
    private var waited: [Duration] = []

    public init() {}

    public var now: ContinuousClock.Instant { lock.withLock { start + offset } }
    public var unixTime: Int64 { lock.withLock { startUnix + offset.components.seconds } }

    public func sleep(for duration: Duration) async {
        lock.withLock { waited.append(duration) }
    }

    public func advance(_ duration: Duration) {
        lock.withLock { offset += duration }
    }

    /// The delays asked for so far, emptied.
    public func takeSleeps() -> [Duration] {
        lock.withLock {
            defer { waited = [] }
            return waited
        }
    }
}
