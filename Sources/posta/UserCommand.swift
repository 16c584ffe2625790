import Admin
import ArgumentParser
import Core
import Directory

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage mail users (accounts).",
        subcommands: [Add.self, Delete.self, List.self, Show.self, Passwd.self, Enable.self, Disable.self, Quota.self])

    /// An account as listings show it: never the hash, but its scheme and whether it is weak.
    struct View: Encodable {
        let address: String
        let displayName: String
        let quotaBytes: Int64
        let enabled: Bool
        let createdAt: Int64
        let lastLoginAt: Int64?
        let passwordScheme: String
        let weakPassword: Bool

        init(_ account: Account) {
            address = account.address
            displayName = account.displayName
            quotaBytes = account.quotaBytes
            enabled = account.enabled
            createdAt = account.createdAt
            lastLoginAt = account.lastLoginAt
            let stored = try? StoredPassword(account.password)
            passwordScheme = stored?.scheme.rawValue ?? "unknown"
            weakPassword = stored?.isWeak ?? true
        }

        enum CodingKeys: String, CodingKey {
            case address, enabled
            case displayName = "display_name"
            case quotaBytes = "quota_bytes"
            case createdAt = "created_at"
            case lastLoginAt = "last_login_at"
            case passwordScheme = "password_scheme"
            case weakPassword = "weak_password"
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; its domain must exist.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The address, e.g. alice@example.org.") var address: String
        @Option(help: "Display name.") var name = ""
        @Option(help: "Storage quota: bytes or 500M, 2G…; 0 = unlimited.") var quota = "0"
        @OptionGroup var password: PasswordInput

        func run() async throws {
            let quotaBytes = try parseQuota(quota)
            let stored = try password.read()
            let account = try await global.withConsole { console, cli in
                try await console.createAccount(
                    as: cli, address: address, hash: stored, displayName: name, quotaBytes: quotaBytes)
            }
            print("added user \(account.address)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete a user.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String

        func run() async throws {
            try await global.withConsole { try await $0.deleteAccount(as: $1, address: address) }
            print("deleted user \(address)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let accounts = try await global.withSite { try await $0.directory.accounts(domain: domain) }
            let views = accounts.map(View.init)
            if json { return try Output.json(views) }
            Output.table(
                ["ADDRESS", "NAME", "QUOTA", "ENABLED", "LAST LOGIN"],
                views.map {
                    [
                        $0.address, $0.displayName, Output.bytes($0.quotaBytes), $0.enabled ? "yes" : "no",
                        Output.date($0.lastLoginAt),
                    ]
                })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one user.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let account = try await global.withSite({ try await $0.directory.account(address) }) else {
                throw DirectoryError.unknownAccount(address)
            }
            let view = View(account)
            if json { return try Output.json(view) }
            Output.table(
                ["FIELD", "VALUE"],
                [
                    ["address", view.address], ["name", view.displayName], ["quota", Output.bytes(view.quotaBytes)],
                    ["enabled", view.enabled ? "yes" : "no"], ["created", Output.date(view.createdAt)],
                    ["last login", Output.date(view.lastLoginAt)],
                    ["password", view.passwordScheme + (view.weakPassword ? " (weak: will be rehashed at next login)" : "")],
                ])
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @OptionGroup var password: PasswordInput

        func run() async throws {
            let stored = try password.read()
            try await global.withConsole { try await $0.setPassword(as: $1, address: address, hash: stored) }
            print("password changed for \(address)")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Allow a user to log in and send again.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String

        func run() async throws {
            try await global.withConsole { try await $0.setEnabled(as: $1, address: address, enabled: true) }
            print("enabled \(address)")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a user from logging in and sending; mail to it is still accepted.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String

        func run() async throws {
            try await global.withConsole { try await $0.setEnabled(as: $1, address: address, enabled: false) }
            print("disabled \(address)")
        }
    }

    struct Quota: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's storage quota.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @Argument(help: "Bytes or 500M, 2G…; 0 or 'unlimited' for none.") var size: String

        func run() async throws {
            let bytes = try parseQuota(size)
            try await global.withConsole { try await $0.setQuota(as: $1, address: address, bytes: bytes) }
            print("quota of \(address) set to \(Output.bytes(bytes))")
        }
    }
}

/// Parses a quota argument with the config file's size syntax.
func parseQuota(_ text: String) throws -> Int64 {
    if text == "0" || text.lowercased() == "unlimited" { return 0 }
    guard let bytes = ByteSize(parsing: text)?.bytes else {
        throw CLIError("invalid size '\(text)': expected bytes or a number with K, M or G (e.g. 500M, 2G), or 'unlimited'")
    }
    return bytes
}
