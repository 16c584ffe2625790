/// The whole site, as described by one TOML file (see docs/config.md).
public struct PostaConfig: Sendable, Equatable {
    /// `hostname`: this server's DNS name (greetings, Received headers).
    public var hostname: String
    /// `data_dir`, absolute (relative values are resolved against the config file's folder).
    public var dataDirectory: String
    /// `node_id`: this node's name in a cluster (unique Maildir file names); default: first label of `hostname`.
    public var nodeID: String
    /// `[log]`.
    public var log: LogSettings
    /// `[database]`.
    public var database: DatabaseSettings
    /// `[tls]`, nil when the file has none (then no listener uses TLS).
    public var tls: TLSSettings?
    /// `[limits]`.
    public var limits: Limits
    /// Every `[[listener]]`, in file order.
    public var listeners: [ListenerSettings]
    /// The subsystems' own tables (`[delivery]`, `[filter]`, `[auth]`, `[store]`, …), each decoded by
    /// the module that owns it (`ConfigSection`); modules add typed accessors (`config.delivery`).
    package var sections = ConfigSections()

    public init(
        hostname: String, dataDirectory: String, nodeID: String, log: LogSettings = LogSettings(),
        database: DatabaseSettings, tls: TLSSettings? = nil, limits: Limits = Limits(),
        listeners: [ListenerSettings] = []
    ) {
        self.hostname = hostname
        self.dataDirectory = dataDirectory
        self.nodeID = nodeID
        self.log = log
        self.database = database
        self.tls = tls
        self.limits = limits
        self.listeners = listeners
    }

    /// Parses and validates; `path` is used for error messages and for resolving relative paths.
    ///
    /// Throws every problem found (unknown keys, wrong types, impossible values), each with
    /// its key, line and expected form, sorted by line. A TOML syntax error is reported alone.
    /// `sections` are the top-level tables the subsystems own; any other table is an unknown key.
    package static func parse(_ text: String, path: String, sections: [any ConfigSection.Type]) throws(ConfigErrors)
        -> PostaConfig
    {
        let document: ConfigNode
        do {
            document = try ConfigNode.parse(text)
        } catch {
            throw ConfigErrors([
                ConfigError(
                    path: path, line: error.source.begin.line, column: error.source.begin.column,
                    message: "TOML syntax error: \(error.description)", kind: .syntax)
            ])
        }
        let configDirectory = ConfigPaths.resolve(
            ConfigPaths.directory(of: path), against: ConfigFileSystem.currentDirectory())
        var decoder = SiteDecoder(reader: ConfigReader(file: path, locator: KeyLocator(text: text)))
        let config = decoder.decode(document, configDirectory: configDirectory, sections: sections)
        let errors = decoder.reader.errors
        guard errors.isEmpty, let config else {
            throw ConfigErrors(sortedByLocation(errors))
        }
        return config
    }

    /// Reads the file at `path` and parses it; an unreadable file is one error.
    package static func load(path: String, sections: [any ConfigSection.Type]) throws(ConfigErrors) -> PostaConfig {
        switch ConfigFileSystem.readText(path) {
        case .success(let text):
            return try parse(text, path: path, sections: sections)
        case .failure(let problem):
            let reason: String
            switch problem {
            case .system(let text): reason = text
            case .notUTF8: reason = "the file is not valid UTF-8"
            }
            throw ConfigErrors([
                ConfigError(path: path, message: "cannot read the configuration file: \(reason)", kind: .unreadable)
            ])
        }
    }

    /// Errors without a line first, then by line and column; otherwise in the order found.
    static func sortedByLocation(_ errors: [ConfigError]) -> [ConfigError] {
        errors.enumerated().sorted { a, b in
            let la = a.element.line ?? 0
            let lb = b.element.line ?? 0
            if la != lb { return la < lb }
            let ca = a.element.column ?? 0
            let cb = b.element.column ?? 0
            if ca != cb { return ca < cb }
            return a.offset < b.offset
        }.map(\.element)
    }
}
