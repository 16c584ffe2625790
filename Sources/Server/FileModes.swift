import Core
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Who may read what Posta keeps on disk. Mail, the queue, the quarantine, the database and TLS keys are
/// the users' and the site's secrets: owner-only.
///
/// The process sets umask 0077 before it touches the file system (`restrictUmask`, first thing in `posta`
/// for every command, so that `posta user add` creating the database makes it 0600 too): files are created
/// 0600 and folders 0700. 0077 rather than 0027, because Posta runs as its own account and no group needs
/// to read mail or the spool; backups run as root or as that account. SQLite gives the `-wal` and `-shm`
/// files the database file's mode. Paths that already exist keep their modes: `posta serve` checks them
/// at start (`check`) and logs a warning for each that others can reach.
public enum FileModes {
    /// The umask the process runs with: no permissions for group and others.
    public static let mask: mode_t = 0o077

    /// Sets the process umask to `mask`; call before creating any file.
    public static func restrictUmask() { _ = Glibc.umask(mask) }

    /// A path that grants more than its owner should.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// Permission bits (`0o777` mask).
        public var mode: mode_t
        /// `0644`-style text.
        public var modeText: String { "0" + String(mode, radix: 8) }
        public var description: String { "\(path) has mode \(modeText)" }
    }

    /// The site's secret paths, each with the permission bits that must be clear: the data folder, its
    /// `mail`, `spool` and `spool/quarantine` folders, the SQLite database with its `-wal` and `-shm` files,
    /// and the relay password file — no group or other bits; TLS keys — no bits for others (a group such
    /// as Debian's `ssl-cert` may read keys it is given).
    public static func secretPaths(_ config: PostaConfig) -> [(path: String, forbidden: mode_t)] {
        let data = config.dataDirectory
        var paths: [(String, mode_t)] = [data, data + "/mail", data + "/spool", data + "/spool/quarantine"].map { ($0, 0o077) }
        if case .sqlite(let path) = config.database.url {
            paths += [path, path + "-wal", path + "-shm"].map { ($0, 0o077) }
        }
        if let file = config.delivery.relayPasswordFile { paths.append((file, 0o077)) }
        if let tls = config.tls { paths.append((tls.keyPath, 0o007)) }
        return paths
    }

    /// The existing secret paths whose modes grant what they must not. Missing paths are skipped.
    public static func check(_ config: PostaConfig) -> [Finding] {
        secretPaths(config).compactMap { path, forbidden in
            guard let mode = permissionBits(path), mode & forbidden != 0 else { return nil }
            return Finding(path: path, mode: mode)
        }
    }

    /// Logs one warning per finding of `check`.
    public static func warn(_ config: PostaConfig, logger: Logger) {
        for finding in check(config) {
            logger.warning(
                "file readable by others", metadata: ["path": "\(finding.path)", "mode": "\(finding.modeText)"])
        }
    }
}

/// The permission bits of what `path` names (symbolic links followed: a key often is one), or nil.
private func permissionBits(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}
