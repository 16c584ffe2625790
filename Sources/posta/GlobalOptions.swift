import Admin
import ArgumentParser
import Core
import Directory
import Foundation
import Logging
import Server

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long, help: "The site configuration file (default: $POSTA_CONFIG, ./posta-data/posta.toml, /etc/posta/posta.toml)."
    )
    var config: String?

    /// Finds and loads the configuration, or fails with one line saying where it looked.
    func loadConfig() throws -> PostaConfig {
        let environment = ProcessInfo.processInfo.environment
        let cwd = FileManager.default.currentDirectoryPath
        guard
            let path = ConfigDiscovery.locate(
                explicit: config, environment: environment, currentDirectory: cwd,
                fileExists: { FileManager.default.fileExists(atPath: $0) })
        else {
            throw CLIError(
                "no configuration found (looked for --config, $POSTA_CONFIG, ./posta-data/posta.toml, /etc/posta/posta.toml); for a development setup run: posta serve --dev"
            )
        }
        do {
            return try PostaConfig.loadSite(path: path)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// Opens the site (database migrated) for one admin command and closes it afterwards.
    func withSite<R>(_ body: (Site) async throws -> R) async throws -> R {
        let config = try loadConfig()
        var logger = Logger(label: "posta")
        logger.logLevel = .warning
        let site = try await Site.open(config, logger: logger)
        do {
            let result = try await body(site)
            await site.close()
            return result
        } catch {
            await site.close()
            throw error
        }
    }
}

extension GlobalOptions {
    /// Opens the site and runs `body` with the administration service layer and the CLI's
    /// principal (`cli:<unix user>`, a superadmin): CLI changes are checked and audited like the
    /// console's.
    func withConsole<R>(_ body: (AdminConsole, Principal) async throws -> R) async throws -> R {
        try await withSite { site in
            let logger = Logger(label: "posta")
            let console = AdminConsole(
                database: site.database, directory: site.directory, store: site.store, queue: site.queue,
                authenticator: Authenticator(directory: site.directory, loginLog: LoginLog(database: site.database)),
                settings: site.config.admin, logger: logger)
            return try await body(
                console, Principal(.console(unixUser: ProcessInfo.processInfo.userName), channel: .cli, clientIP: nil))
        }
    }
}

/// A failure reported as one line on stderr with a non-zero exit status.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
