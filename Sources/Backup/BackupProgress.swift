/// What a running backup or verification reports, for a progress display.
public enum BackupEvent: Sendable, Equatable {
    /// A new step: "database snapshot (round 1)", "copying files"…
    case step(String)
    /// Files handled so far in the current step, out of `totalFiles`.
    case progress(files: Int, totalFiles: Int, bytes: Int64)
}

/// Receives events; called from the thread doing the work, so it must be quick.
public typealias BackupObserver = @Sendable (BackupEvent) -> Void
