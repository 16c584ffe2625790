/// Finds the configuration file when the command line does not name one.
public enum ConfigDiscovery {
    /// The environment variable naming the configuration file.
    public static let environmentVariable = "POSTA_CONFIG"
    /// Relative to the current directory: the file `posta serve --dev` writes.
    public static let developmentPath = "posta-data/posta.toml"
    /// The system-wide location.
    public static let systemPath = "/etc/posta/posta.toml"

    /// `--config FILE`, then `$POSTA_CONFIG`, then `./posta-data/posta.toml`, then
    /// `/etc/posta/posta.toml`: the first that exists. An explicit or environment path is
    /// returned even when missing (the caller then reports that it cannot be read); empty
    /// values count as unset. Relative paths are made absolute against `currentDirectory`.
    /// nil when nothing was named and neither default exists.
    public static func locate(
        explicit: String?, environment: [String: String], currentDirectory: String, fileExists: (String) -> Bool
    ) -> String? {
        if let explicit, !explicit.isEmpty {
            return ConfigPaths.resolve(explicit, against: currentDirectory)
        }
        if let named = environment[environmentVariable], !named.isEmpty {
            return ConfigPaths.resolve(named, against: currentDirectory)
        }
        for candidate in [ConfigPaths.resolve(developmentPath, against: currentDirectory), systemPath]
        where fileExists(candidate) {
            return candidate
        }
        return nil
    }
}
