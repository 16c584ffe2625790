import Admin
import ArgumentParser
import Core
import Foundation
import Logging
import Server

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the mail server: every listener in the configuration, until SIGTERM or SIGINT.")

    @OptionGroup var global: GlobalOptions

    @Flag(
        help:
            "Development mode: create (or reuse) a self-contained site in --data with a self-signed certificate, SQLite and the domain example.test, listening on 127.0.0.1."
    )
    var dev = false

    @Option(help: "With --dev: the site folder.") var data = "posta-data"

    func validate() throws {
        if dev && global.config != nil { throw ValidationError("--dev makes its own configuration; drop --config") }
    }

    func run() async throws {
        let config: PostaConfig
        if dev {
            config = try DevelopmentSite.prepare(folder: data, protocols: PostaServer.availableProtocols)
        } else {
            config = try global.loadConfig()
        }
        PostaLogging.bootstrap(config.log)
        // Before the site opens: the database pool reports its size through the facade.
        PostaMetrics.bootstrap()
        let logger = Logger(label: "posta")
        FileDescriptorLimit.raise(connections: config.limits.maxConnections, logger: logger)
        let site = try await Site.open(config, logger: logger)
        FileModes.warn(config, logger: logger)  // after the open, so the database's -wal and -shm exist
        if dev { try await DevelopmentSite.seed(site) }
        let server = PostaServer(site: site, logger: logger)
        // No default password: until someone creates one, the banner says how.
        let needsFirstAdmin = (try? await AdminConsole.hasAdministrators(site.database)) == false
        do {
            try await server.run { printBanner(config, devFolder: dev ? data : nil, needsFirstAdmin: needsFirstAdmin) }
        } catch {
            // A server that could not start (a taken port, a TLS file) exits at once with the
            // reason, the site still open: services cancelled mid-start may still be opening
            // connections in its pools (closing or releasing them then trips the database
            // drivers' assertions), and every committed transaction is already durable.
            Self.exit(withError: CLIError("\(error)"))
        }
        // Every service, the orphan sweep included, has ended: the database can close.
        await site.close()
        logger.info("stopped")
    }

    private func printBanner(_ config: PostaConfig, devFolder: String?, needsFirstAdmin: Bool) {
        var lines = ["Posta \(PostaVersion.string) on \(config.hostname), data in \(config.dataDirectory)"]
        for listener in config.listeners {
            let name = listener.protocol.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(listener.host):\(listener.port)  tls=\(listener.tls.rawValue)")
        }
        if let devFolder {
            let configFlag = devFolder == "posta-data" ? "" : " --config \(devFolder)/posta.toml"
            lines.append("Add the first user (from this folder):")
            lines.append("  echo 'a-good-password' | posta user add\(configFlag) alice@example.test --password-stdin")
        }
        if needsFirstAdmin {
            let configFlag = devFolder.map { $0 == "posta-data" ? "" : " --config \($0)/posta.toml" } ?? ""
            lines.append("No administrator yet. Create the first superadmin (asks for a password):")
            lines.append("  posta admin add\(configFlag) LOGIN --role superadmin")
        }
        if devFolder != nil {
            lines.append("Stop with Ctrl-C.")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
