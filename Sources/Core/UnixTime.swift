#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock time as the database stores it: whole seconds since 1970, the same on SQLite and PostgreSQL.
public enum UnixTime {
    public static func now() -> Int64 { Int64(time(nil)) }
}
