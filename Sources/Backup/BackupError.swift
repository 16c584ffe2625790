/// Why a backup could not be made, read or listed.
public enum BackupError: Error, Equatable, CustomStringConvertible {
    case io(String)
    case unreadable(String)
    case badManifest(String, String)
    /// `verify` was given a backup without a manifest.
    case incomplete(String)
    case notABackup(String)
    /// A row names a file outside its folder (`..`, absolute): refused, never read.
    case unsafePath(set: String, path: String)
    /// The data changed faster than snapshots could be completed.
    case unsettled(rounds: Int, missing: [String])
    case snapshot(String)
    case toolMissing(String)
    /// A restore that was refused (a data folder not empty, a backup failing verification…).
    case restoreRefused(String)

    public var description: String {
        switch self {
        case .io(let text): text
        case .unreadable(let path): "cannot read \(path)"
        case .badManifest(let path, let why): "\(path) is not a backup manifest: \(why)"
        case .incomplete(let path): "\(path) has no \(BackupManifest.fileName): the backup is incomplete (interrupted)"
        case .notABackup(let path): "\(path) is neither a backup nor a folder of backups"
        case .unsafePath(let set, let path): "the database names a \(set) file outside its folder: \(path)"
        case .unsettled(let rounds, let missing):
            "files kept vanishing after \(rounds) snapshots (\(missing.count) missing, e.g. \(missing.prefix(3).joined(separator: ", ")))"
        case .snapshot(let text): "database snapshot failed: \(text)"
        case .toolMissing(let text): text
        case .restoreRefused(let text): "restore refused: \(text)"
        }
    }
}
