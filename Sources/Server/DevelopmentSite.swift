import Core
import Directory
import Foundation

/// `posta serve --dev`: a self-contained site in one folder — configuration, SQLite database,
/// self-signed certificate for `localhost` and the local domain `example.test`.
public enum DevelopmentSite {
    /// The domain every development site receives mail for.
    public static let domain = "example.test"

    /// Creates what is missing in `folder` (never overwriting) and returns its configuration;
    /// a new configuration gets a listener for each of `protocols`.
    public static func prepare(folder: String, protocols: Set<ListenerProtocol>) throws -> PostaConfig {
        let fm = FileManager.default
        let configPath = (folder as NSString).appendingPathComponent("posta.toml")
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if !fm.fileExists(atPath: configPath) {
            try PostaConfig.developmentTemplate(protocols: protocols).write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        let config: PostaConfig
        do { config = try PostaConfig.loadSite(path: configPath) } catch { throw ServerError.tls(error.description) }
        if let tls = config.tls, !fm.fileExists(atPath: tls.certificatePath) || !fm.fileExists(atPath: tls.keyPath) {
            let (certificate, key) = try DevelopmentCertificate.make(hostname: "localhost")
            try fm.createDirectory(
                atPath: (tls.certificatePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try certificate.write(toFile: tls.certificatePath, atomically: true, encoding: .utf8)
            // 0600 whatever the umask (FileModes): the key is the site's secret.
            guard fm.createFile(atPath: tls.keyPath, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw ServerError.tls("cannot write \(tls.keyPath)")
            }
        }
        return config
    }

    /// Adds the development domain if it is missing.
    public static func seed(_ site: Site) async throws {
        if try await !site.directory.isLocalDomain(domain) {
            try await site.directory.addDomain(domain)
        }
    }
}
