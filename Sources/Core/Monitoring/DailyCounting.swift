/// Where the protocol modules count the day's events that the daily summary reports (refusals by
/// reply, messages submitted per account). Monitor's `DailyRollup` keeps the counts; the modules
/// that count know only this protocol.
public protocol DailyCounting: Sendable {
    /// Adds `amount` to `counter`'s `key` for today.
    func add(_ amount: Int64, to counter: DailyCounter, key: String)
}

/// The counters of the daily rollup (`monitor_rollup.name`).
public enum DailyCounter: String, Sendable, CaseIterable, Codable {
    /// Messages accepted, by listener mode (`mx`, `submission`, `lmtp`).
    case received
    /// Messages accepted on submission, by authenticated account.
    case submitted
    /// SMTP commands refused, by reply (`550 5.1.1`, `451 4.7.1`…).
    case refused
    /// The queue's largest size seen, by hour of the day (`00`…`23`); a peak, not a sum.
    case queuePeak = "queue_peak"

    /// Whether the day keeps the largest value rather than the sum.
    public var isPeak: Bool { self == .queuePeak }
}
