import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The open-file limit of `posta serve` (RLIMIT_NOFILE). Every connection holds a descriptor, and
/// so do the database, the log and each file being written; distributions start services with a
/// soft limit of 1,024, far below `[limits] max_connections`. At start the soft limit is raised to
/// the hard one (which an unprivileged process may do), and a hard limit too low for the configured
/// connections is said in the log, with how to raise it.
public enum FileDescriptorLimit {
    /// Descriptors kept for what is not a connection: database, log, spool and message files.
    public static let reserve: UInt64 = 256
    /// Linux refuses a limit above `fs.nr_open` (1,048,576 by default); an infinite hard limit is
    /// taken as this.
    static let ceiling: UInt64 = 1 << 20

    /// What to do about the limits `soft`/`hard` for a server of `connections` connections.
    public struct Plan: Equatable, Sendable {
        /// The soft limit to set, when it is to be raised.
        public var raiseTo: UInt64?
        /// A warning for the log when even the hard limit is too low.
        public var warning: String?
    }

    public static func plan(soft: UInt64, hard: UInt64, connections: Int) -> Plan {
        let usable = min(hard, ceiling)
        let wanted = UInt64(max(0, connections)) + reserve
        var plan = Plan()
        if soft < usable { plan.raiseTo = usable }
        if usable < wanted {
            plan.warning =
                "the open-file limit is \(usable), below [limits] max_connections (\(connections)) plus \(reserve) "
                + "for files and the database: connections past it are refused; raise the hard limit "
                + "(LimitNOFILE= in the systemd unit, or ulimit -Hn)"
        }
        return plan
    }

    /// Raises the soft limit as `plan` says, logging what it did and what it could not.
    public static func raise(connections: Int, logger: Logger) {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 else {
            logger.warning("cannot read the open-file limit", metadata: ["errno": "\(errno)"])
            return
        }
        let soft = UInt64(limits.rlim_cur)
        let plan = plan(soft: soft, hard: UInt64(limits.rlim_max), connections: connections)
        if let target = plan.raiseTo {
            limits.rlim_cur = rlim_t(target)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0 {
                logger.info("open-file limit raised", metadata: ["from": "\(soft)", "to": "\(target)"])
            } else {
                logger.warning(
                    "cannot raise the open-file limit", metadata: ["from": "\(soft)", "to": "\(target)", "errno": "\(errno)"])
            }
        }
        if let warning = plan.warning { logger.warning("\(warning)") }
    }
}
