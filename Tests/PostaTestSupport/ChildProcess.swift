import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with posix_spawn and reaped with waitpid. Foundation's `Process`
/// is not used: its child inherits the spawning thread's blocked signals (so SIGTERM does not
/// reach it), and waiting for it can hang a test.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `path` with `arguments`, standard input from /dev/null and standard output and
    /// error appended to `logPath`, with a clean signal mask and default signal actions.
    public init(path: String, arguments: [String], logPath: String) throws {
        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw TestSetupError("posix_spawn \(path) failed (\(result))")
        }
        self.pid = pid
    }

    /// Whether the child still runs (reaps it if it exited).
    public var isRunning: Bool {
        lock.withLock {
            guard exitStatus == nil else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status
                return false
            }
            return true
        }
    }

    public var status: Int32? { lock.withLock { exitStatus } }

    /// SIGTERM, then SIGKILL if it has not exited within a second; always reaps the child.
    public func stop() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGTERM)
        for _ in 0..<100 {
            guard isRunning else { return }
            usleep(10_000)
        }
        Glibc.kill(pid, SIGKILL)
        lock.withLock {
            var status: Int32 = 0
            if exitStatus == nil, waitpid(pid, &status, 0) == pid { exitStatus = status }
        }
    }

    /// SIGKILL at once, and reap.
    public func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        lock.withLock {
            var status: Int32 = 0
            if exitStatus == nil, waitpid(pid, &status, 0) == pid { exitStatus = status }
        }
    }

    /// Blocks until the child exits; returns its wait status.
    @discardableResult
    public func waitForExit() -> Int32 {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            exitStatus = status
            return status
        }
    }
}
