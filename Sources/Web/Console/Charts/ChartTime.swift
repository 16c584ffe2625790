import Admin
import Core

/// The time axis of the dashboard's charts: bucket starts in UTC, labelled `HH:MM` (minutes and
/// hours) or `MM-DD` (at midnight, in the week window).
enum ChartTime {
    /// `16:20` (UTC) of `time`.
    static func clock(_ time: Int64) -> String {
        let seconds = time - UnixTime.dayStart(of: time)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(seconds / 3600)):\(two(seconds % 3600 / 60))"
    }

    /// `12-03` (UTC) of `time`.
    static func day(_ time: Int64) -> String {
        let full = Format.time(time)  // 2026-12-03 16:20 UTC
        return String(full.dropFirst(5).prefix(5))
    }

    /// The bucket's label in the data table: `2026-12-03 16:20 UTC`.
    static func full(_ time: Int64) -> String { Format.time(time) }

    /// The labelled buckets of a window's axis: every 10 minutes, 3 hours, or day.
    static func isTick(_ time: Int64, window: DashboardWindow) -> Bool {
        switch window {
        case .hour: time % 600 == 0
        case .day: time % 10_800 == 0
        case .week: time % 86_400 == 0
        }
    }

    /// The tick's text.
    static func tickLabel(_ time: Int64, window: DashboardWindow) -> String {
        window == .week ? day(time) : clock(time)
    }
}
