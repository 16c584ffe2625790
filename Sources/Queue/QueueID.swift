import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Queue ids: unique across the nodes of a cluster and sortable by time —
/// `<unix seconds base36><microseconds base36>-<node>-<counter base36>`.
public enum QueueID {
    private static let counter = NIOLockedValueBox<UInt64>(0)

    public static func make(nodeID: String) -> String {
        var now = timeval()
        gettimeofday(&now, nil)
        let n = counter.withLockedValue {
            $0 += 1
            return $0
        }
        let seconds = String(UInt64(now.tv_sec), radix: 36).uppercased()
        let micros = String(UInt64(now.tv_usec), radix: 36).uppercased()
        return
            "\(seconds)\(String(repeating: "0", count: max(0, 4 - micros.count)))\(micros)-\(nodeID)-\(String(n, radix: 36).uppercased())"
    }
}
