#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock time as the database stores it: whole seconds since 1970, the same on SQLite and PostgreSQL.
public enum UnixTime {
    public static func now() -> Int64 { Int64(time(nil)) }

    /// The start (00:00 UTC) of the day that holds `time`: the reporting period of DMARC and
    /// TLS reports (RFC 9990 §3.1.1.4, RFC 8460 §4.1).
    public static func dayStart(of time: Int64) -> Int64 {
        let day: Int64 = 86_400
        return time >= 0 ? time - time % day : time - (day + time % day) % day
    }
}
