/// Where the modules count the events that the daily summary and the dashboard report (mail
/// received, refused, delivered; logins; the queue's size). Monitor's `DailyRollup` keeps the
/// counts per day, hour and minute; the modules that count know only this protocol.
public protocol DailyCounting: Sendable {
    /// Adds `amount` to `counter`'s `key` for now (a peak counter keeps the largest amount).
    func add(_ amount: Int64, to counter: DailyCounter, key: String)
}

/// The length of a rollup bucket: a day (`monitor_rollup`), an hour or a minute (`monitor_series`).
public enum RollupSpan: Int64, Sendable, CaseIterable, Codable {
    case minute = 60
    case hour = 3600
    case day = 86_400

    /// The start of the bucket holding `time` (seconds since 1970).
    public func start(of time: Int64) -> Int64 {
        let remainder = time % rawValue
        return time - (remainder < 0 ? remainder + rawValue : remainder)
    }
}

/// The counters of the rollup (`monitor_rollup.name`, `monitor_series.name`).
public enum DailyCounter: String, Sendable, CaseIterable, Codable {
    /// Messages accepted, by listener mode (`mx`, `submission`, `lmtp`).
    case received
    /// Messages accepted on submission, by authenticated account.
    case submitted
    /// SMTP commands refused, by listener mode and reply (`mx 550 5.1.1`, `mx 451 4.7.1`…).
    case refused
    /// The queue's largest size seen, by hour of the day (`00`…`23`); a peak, not a sum.
    case queuePeak = "queue_peak"
    /// The queue's largest size seen in the bucket (key empty); a peak, sampled every minute.
    case queueSize = "queue_size"
    /// Delivery outcomes per recipient, recorded by the queue: `local` and `remote` (delivered),
    /// `bounced` (failed for good), `deferred` (failed for now, to be retried).
    case delivered
    /// Login attempts by protocol and outcome (`imap ok`, `imap failed`).
    case logins
    /// SMTP commands refused, by the client's IP address (many keys: hours only).
    case refusedClient = "refused_client"

    /// Whether a bucket keeps the largest value rather than the sum.
    public var isPeak: Bool { self == .queuePeak || self == .queueSize }

    /// The buckets the counter is kept in. Counters keyed by something a client chooses or many
    /// of (accounts, addresses) are not kept per minute, to bound the rows.
    public var spans: [RollupSpan] {
        switch self {
        case .received, .refused, .delivered, .logins: [.day, .hour, .minute]
        case .submitted: [.day, .hour]
        case .queuePeak: [.day]
        case .queueSize: [.hour, .minute]
        case .refusedClient: [.hour]
        }
    }
}
