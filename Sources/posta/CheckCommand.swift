import ArgumentParser
import Core
import Foundation
import Monitor

/// `posta check …`: Nagios/Icinga service checks following the Monitoring Plugins guidelines (one
/// status line on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). The checks live in
/// Sources/Monitor/Checks; these commands read options and print.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Nagios/Icinga checks: one status line, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        subcommands: [
            ProtocolProbe<SMTPKind>.self, ProtocolProbe<SubmissionKind>.self, ProtocolProbe<IMAPKind>.self,
            ProtocolProbe<POP3Kind>.self, Queue.self, Disk.self, Load.self, CertificateCheckCommand.self,
            DatabaseCheckCommand.self, Cluster.self,
        ])

    /// Prints `result`'s line and ends the process with its exit status.
    static func finish(_ result: PluginResult) throws -> Never {
        FileHandle.standardOutput.write(Data((result.line + "\n").utf8))
        Foundation.exit(result.exitCode)
    }

    /// Runs a check body; any error that escapes it becomes one UNKNOWN line (guidelines: UNKNOWN
    /// for a check that could not run), never a stack trace.
    static func run(_ service: String, _ body: () async throws -> PluginResult) async throws -> Never {
        let result: PluginResult
        do {
            result = try await body()
        } catch {
            result = .unknown(service, String(describing: error))
        }
        try finish(result)
    }

    /// The site config if one is given or found (`--config`, $POSTA_CONFIG, the default places), else nil.
    static func optionalConfig(_ global: GlobalOptions) throws -> PostaConfig? {
        let found = ConfigDiscovery.locate(
            explicit: global.config, environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath,
            fileExists: { FileManager.default.fileExists(atPath: $0) })
        return found == nil ? nil : try global.loadConfig()
    }
}

/// `-w`, `-c`, `-t`, common to the checks.
struct CheckThresholdOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Warning range (Monitoring Plugins syntax: 10, 10:, ~:10, 10:20, @10:20).")
    var warning: String?
    @Option(name: .shortAndLong, help: "Critical range.") var critical: String?
    @Option(name: [.customShort("t"), .long], help: "Give up (UNKNOWN) after this many seconds.") var timeout: Double = 10
    @Option(help: "Status when the time runs out: unknown (default), critical, warning or ok.")
    var timeoutState = "unknown"

    func timeoutStatus() throws -> PluginStatus {
        guard let status = PluginStatus(word: timeoutState) else {
            throw CLIError("--timeout-state takes ok, warning, critical or unknown")
        }
        return status
    }

    func thresholds(_ defaults: Thresholds = .init()) throws -> Thresholds {
        Thresholds(
            warning: try warning.map { try ThresholdRange(parsing: $0) } ?? defaults.warning,
            critical: try critical.map { try ThresholdRange(parsing: $0) } ?? defaults.critical)
    }

    func validatedTimeout() throws -> Double {
        guard timeout > 0, timeout <= 3600 else { throw CLIError("timeout must be between 0 and 3600 seconds") }
        return timeout
    }
}

protocol ProbeKind { static var proto: ProbeProtocol { get } }
enum SMTPKind: ProbeKind { static let proto = ProbeProtocol.smtp }
enum SubmissionKind: ProbeKind { static let proto = ProbeProtocol.submission }
enum IMAPKind: ProbeKind { static let proto = ProbeProtocol.imap }
enum POP3Kind: ProbeKind { static let proto = ProbeProtocol.pop3 }

/// `posta check smtp|submission|imap|pop3`.
struct ProtocolProbe<Kind: ProbeKind>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: Kind.proto.rawValue,
            abstract:
                "Connect, read the banner, ask for capabilities, optionally STARTTLS and log in, quit; report the response time (-w/-c in seconds)."
        )
    }
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limits: CheckThresholdOptions
    @Option(name: [.customShort("H"), .long], help: "Host to check.") var host = "127.0.0.1"
    @Option(name: .shortAndLong, help: "Port (default: the config's listener, else the standard port).") var port: Int?
    @Flag(help: "Implicit TLS (ports 465, 993, 995).") var tls = false
    @Flag(help: "Ask for STARTTLS (STLS for POP3) after the capabilities.") var starttls = false
    @Option(help: "Log in as this user (AUTH PLAIN, IMAP LOGIN, POP3 USER/PASS).") var user: String?
    @Option(help: "File whose first line is the password for --user.") var passwordFile: String?
    @Option(help: "Name to send in EHLO.") var helo = "localhost"

    func run() async throws {
        let service = Kind.proto.rawValue.uppercased()
        try await CheckCommand.run(service) {
            let thresholds = try limits.thresholds()
            let timeout = try limits.validatedTimeout()
            if tls && starttls { throw CLIError("--tls and --starttls exclude each other") }
            var credentials: ProbeOptions.Credentials?
            if let user {
                guard let passwordFile else { throw CLIError("--user needs --password-file") }
                credentials = .init(user: user, password: try PasswordFile.read(passwordFile))
            }
            let resolvedPort: Int
            if let port {
                guard (1...65535).contains(port) else { throw CLIError("port must be 1...65535") }
                resolvedPort = port
            } else {
                resolvedPort = Kind.proto.port(implicitTLS: tls, listeners: try CheckCommand.optionalConfig(global)?.listeners)
            }
            let target = ProbeTarget(host: host, port: resolvedPort, implicitTLS: tls, timeout: timeout)
            let options = ProbeOptions(proto: Kind.proto, startTLS: starttls, credentials: credentials, heloName: helo)
            let report = await MailProbe.run(target: target, options: options)
            return ProtocolCheck.result(
                report, proto: Kind.proto, target: target, thresholds: thresholds, timeoutStatus: try limits.timeoutStatus())
        }
    }
}

/// The first line of a password file, bounded.
enum PasswordFile {
    static func read(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: 4096) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }
}

extension CheckCommand {
    struct Queue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the queued messages (active, deferred, held); -w/-c on the total (default 1500/2500).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var limits: CheckThresholdOptions

        func run() async throws {
            try await CheckCommand.run("QUEUE") {
                let thresholds = try limits.thresholds(QueueCheck.defaultThresholds)
                let config = try global.loadConfig()
                let database = try openCheckDatabase(config.database)
                let result = await QueueCheck.run(database, thresholds: thresholds, timeout: try limits.validatedTimeout())
                await database.shutdown()
                return result
            }
        }
    }

    struct Disk: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Free space and inodes of the data folder's filesystem in percent (default -w 20: -c 10:).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var limits: CheckThresholdOptions
        @Option(help: "Warning range on free inodes in percent (default 20:).") var inodeWarning: String?
        @Option(help: "Critical range on free inodes in percent (default 10:).") var inodeCritical: String?
        @Option(help: "Check this folder instead of the config's data_dir.") var path: String?

        func run() async throws {
            try await CheckCommand.run("DISK") {
                let space = try limits.thresholds(DiskCheck.defaultThresholds)
                let inodes = Thresholds(
                    warning: try inodeWarning.map { try ThresholdRange(parsing: $0) } ?? DiskCheck.defaultThresholds.warning,
                    critical: try inodeCritical.map { try ThresholdRange(parsing: $0) } ?? DiskCheck.defaultThresholds.critical)
                let folder = try path ?? global.loadConfig().dataDirectory
                return DiskCheck.result(try DiskUsage.measure(folder), path: folder, space: space, inodes: inodes)
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The 1, 5 and 15 minute load averages; -w/-c one range or three (load1,load5,load15).")
        /// Taken (and not needed) so that every check's command line can end with the same --config.
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "Warning range(s) (default 15,10,5).") var warning = LoadCheck
            .defaultWarning
        @Option(name: .shortAndLong, help: "Critical range(s) (default 30,25,20).")
        var critical = LoadCheck.defaultCritical

        func run() async throws {
            try await CheckCommand.run("LOAD") {
                LoadCheck.result(
                    try LoadCheck.measure(), warning: try LoadCheck.ranges(warning), critical: try LoadCheck.ranges(critical))
            }
        }
    }

    struct Cluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Nodes alive and nodes that stopped renewing their heartbeat; CRITICAL when a node is stale.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var limits: CheckThresholdOptions
        @Option(help: "Seconds without a heartbeat after which a node is stale (default 90: three beats).")
        var staleAfter: Int64 = ClusterCheck.defaultStaleAfter

        func run() async throws {
            try await CheckCommand.run("CLUSTER") {
                let thresholds = try limits.thresholds()
                guard staleAfter > 0 else { throw CLIError("--stale-after must be positive") }
                let config = try global.loadConfig()
                let database = try openCheckDatabase(config.database)
                let result = await ClusterCheck.run(
                    database, now: Int64(Date().timeIntervalSince1970), staleAfter: staleAfter, thresholds: thresholds,
                    timeout: try limits.validatedTimeout())
                await database.shutdown()
                return result
            }
        }
    }
}

struct DatabaseCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "database", abstract: "Run a trivial query on the config's database; -w/-c in seconds.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var limits: CheckThresholdOptions

    func run() async throws {
        try await CheckCommand.run("DATABASE") {
            let thresholds = try limits.thresholds()
            let timeout = try limits.validatedTimeout()
            let config = try global.loadConfig()
            let database: Database
            do {
                database = try openCheckDatabase(config.database)
            } catch {
                return PluginResult(service: "DATABASE", status: .critical, text: "\(error)")
            }
            let result = await DatabaseCheck.run(
                database, name: DatabaseCheck.name(config.database.url), thresholds: thresholds, timeout: timeout)
            await database.shutdown()
            return result
        }
    }
}

struct CertificateCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract:
            "Days until the TLS certificate expires: the config's [tls] cert, or what -H/-p presents (default -w 30 -c 7: fewer days)."
    )
    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Warning: fewer than N days (or a range on days).") var warning = "30"
    @Option(name: .shortAndLong, help: "Critical: fewer than N days (or a range on days).") var critical = "7"
    @Option(name: [.customShort("t"), .long], help: "Give up (UNKNOWN) after this many seconds.") var timeout: Double = 10
    @Option(name: [.customShort("H"), .long], help: "Read the certificate a server presents instead of the file.")
    var host: String?
    @Option(name: .shortAndLong, help: "Port of --host.") var port: Int?
    @Option(help: "Reach TLS by STARTTLS in this protocol (smtp, submission, imap, pop3).") var starttls: String?
    @Flag(help: "Implicit TLS.") var tls = false

    func run() async throws {
        try await CheckCommand.run("CERTIFICATE") {
            let thresholds = Thresholds(
                warning: try CertificateCheck.daysRange(warning), critical: try CertificateCheck.daysRange(critical))
            guard let host else {
                let config = try global.loadConfig()
                guard let path = config.tls?.certificatePath else { throw CLIError("the config has no [tls] cert") }
                return CertificateCheck.result(try CertificateCheck.leaf(pemFile: path), source: path, thresholds: thresholds)
            }
            guard timeout > 0, timeout <= 3600 else { throw CLIError("timeout must be between 0 and 3600 seconds") }
            let proto: ProbeProtocol
            if let starttls {
                guard let p = ProbeProtocol(rawValue: starttls) else {
                    throw CLIError("--starttls takes smtp, submission, imap or pop3")
                }
                guard !tls else { throw CLIError("--tls and --starttls exclude each other") }
                proto = p
            } else {
                guard tls else { throw CLIError("with --host, say how TLS starts: --tls or --starttls PROTOCOL") }
                proto = Self.protocolForPort(port)
            }
            guard let port, (1...65535).contains(port) else { throw CLIError("with --host, give --port (1...65535)") }
            let target = ProbeTarget(host: host, port: port, implicitTLS: tls, timeout: timeout)
            let report = await MailProbe.run(target: target, options: ProbeOptions(proto: proto, startTLS: starttls != nil))
            if let der = report.peerCertificate {
                return CertificateCheck.result(
                    try CertificateCheck.certificate(der: der), source: target.display, thresholds: thresholds)
            }
            return ProtocolCheck.result(report, proto: proto, target: target, thresholds: .init()).renamed("CERTIFICATE")
        }
    }

    /// With implicit TLS, the dialogue after the handshake follows the port's protocol.
    static func protocolForPort(_ port: Int?) -> ProbeProtocol {
        switch port {
        case 993: .imap
        case 995: .pop3
        default: .smtp
        }
    }
}

extension PluginResult {
    func renamed(_ service: String) -> PluginResult {
        var copy = self
        copy.service = service
        return copy
    }
}
