import NIOConcurrencyHelpers
import NIOCore
import NIOExtras

/// The open connections of one listener, so that shutdown can ask each to finish and close
/// what is left when the grace period ends.
final class ConnectionSet: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { [channels] _ in _ = channels.withLockedValue { $0.removeValue(forKey: id) } }
    }

    var count: Int { channels.withLockedValue { $0.count } }

    /// Sends `ChannelShouldQuiesceEvent` to every connection (protocols finish the current
    /// exchange and say goodbye), waits up to `timeout` for them to close, then closes the rest.
    /// A cancelled task does not wait. Returns how many had to be closed by force.
    @discardableResult
    func drain(timeout: Duration) async -> Int {
        for channel in channels.withLockedValue({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = ContinuousClock.now + timeout
        while count > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let stuck = channels.withLockedValue { Array($0.values) }
        for channel in stuck {
            try? await channel.close()
        }
        return stuck.count
    }
}
