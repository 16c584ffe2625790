import Admin
import ArgumentParser
import Core

/// `posta admin …`: the people who run the site (docs/admin.md). Every command goes through
/// `AdminConsole` as `cli:<unix user>`, so it is checked and audited like the console.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage administrators (console logins, roles, TOTP, API tokens).",
        subcommands: [Add.self, Delete.self, List.self, Passwd.self, Role.self, TOTPCommand.self, TokenCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an administrator.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The login name.") var login: String
        @Option(help: "superadmin, domain-admin or helpdesk.") var role: AdminRole = .superadmin
        @Option(name: .customLong("domain"), help: "A domain the administrator acts on (repeat for several).")
        var domains: [String] = []
        @Option(help: "Display name.") var name = ""
        @OptionGroup var password: PasswordInput

        func run() async throws {
            let plain = try password.readPlain()
            let admin = try await global.withConsole {
                try await $0.addAdministrator(
                    as: $1, login: login, password: plain, role: role, domains: domains, displayName: name)
            }
            print("added administrator \(admin.login) (\(admin.role.rawValue))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Delete an administrator.")
        @OptionGroup var global: GlobalOptions
        @Argument var login: String

        func run() async throws {
            try await global.withConsole { try await $0.deleteAdministrator(as: $1, login: login) }
            print("deleted administrator \(login.lowercased())")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List administrators.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let admins = try await global.withConsole { try await $0.administrators(as: $1) }
            if json { return try Output.json(admins) }
            Output.table(
                ["LOGIN", "ROLE", "DOMAINS", "TOTP", "ENABLED", "LAST LOGIN"],
                admins.map {
                    [
                        $0.login, $0.role.rawValue, $0.domains.isEmpty ? "*" : $0.domains.joined(separator: ","),
                        $0.totpEnabled ? "yes" : "no", $0.enabled ? "yes" : "no", Output.date($0.lastLoginAt),
                    ]
                })
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an administrator's password (ends their sessions).")
        @OptionGroup var global: GlobalOptions
        @Argument var login: String
        @OptionGroup var password: PasswordInput

        func run() async throws {
            let plain = try password.readPlain()
            try await global.withConsole { try await $0.setAdministratorPassword(as: $1, login: login, password: plain) }
            print("password changed for administrator \(login.lowercased())")
        }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an administrator's role and domains.")
        @OptionGroup var global: GlobalOptions
        @Argument var login: String
        @Argument(help: "superadmin, domain-admin or helpdesk.") var role: AdminRole
        @Option(name: .customLong("domain"), help: "A domain the administrator acts on (repeat for several).")
        var domains: [String] = []

        func run() async throws {
            try await global.withConsole {
                try await $0.setAdministratorRole(as: $1, login: login, role: role, domains: domains)
            }
            print("administrator \(login.lowercased()) is now \(role.rawValue)")
        }
    }

    struct TOTPCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "totp", abstract: "Require a TOTP code (RFC 6238) at an administrator's login, or stop.",
            subcommands: [Enable.self, Disable.self])

        struct Enable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a new secret and print it (base32 and otpauth:// URI) for an authenticator app.")
            @OptionGroup var global: GlobalOptions
            @Argument var login: String
            @Option(help: "The issuer name the app shows.") var issuer = "Posta"

            func run() async throws {
                let made = try await global.withConsole { try await $0.enableTOTP(as: $1, login: login, issuer: issuer) }
                print("TOTP enabled for \(login.lowercased()); add this to an authenticator app:")
                print("  secret: \(made.secret)")
                print("  uri:    \(made.uri)")
            }
        }

        struct Disable: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop asking for TOTP codes.")
            @OptionGroup var global: GlobalOptions
            @Argument var login: String

            func run() async throws {
                try await global.withConsole { try await $0.disableTOTP(as: $1, login: login) }
                print("TOTP disabled for \(login.lowercased())")
            }
        }
    }

    struct TokenCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token", abstract: "Manage API tokens (Authorization: Bearer …).",
            subcommands: [Add.self, Delete.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make a token for an administrator; it is shown once.")
            @OptionGroup var global: GlobalOptions
            @Argument var login: String
            @Argument(help: "What the token is for.") var name: String

            func run() async throws {
                let made = try await global.withConsole { try await $0.addToken(as: $1, admin: login, name: name) }
                print("token \(made.record.id) for \(made.record.admin) (\(made.record.name)); it is not shown again:")
                print(made.token)
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "del", abstract: "Revoke a token.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The token's id (posta admin token list).") var id: Int64

            func run() async throws {
                try await global.withConsole { try await $0.deleteToken(as: $1, id: id) }
                print("revoked token \(id)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tokens (never the tokens themselves).")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Only this administrator's.") var admin: String?
            @Flag(help: "Print JSON.") var json = false

            func run() async throws {
                let tokens = try await global.withConsole { try await $0.tokens(as: $1, admin: admin) }
                if json { return try Output.json(tokens) }
                Output.table(
                    ["ID", "ADMIN", "NAME", "CREATED", "LAST USED"],
                    tokens.map { [String($0.id), $0.admin, $0.name, Output.date($0.createdAt), Output.date($0.lastUsedAt)] })
            }
        }
    }
}

extension AdminRole: ExpressibleByArgument {}

/// `posta audit list`: the audit log of every change made through the CLI, the console and the API.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read the audit log of administrative changes.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this actor (admin:LOGIN, user:ADDRESS, cli:USER).") var actor: String?
        @Option(help: "Only this action (e.g. account.create).") var action: String?
        @Option(help: "Only this target (an address, a domain…).") var target: String?
        @Option(help: "At most this many entries (1-500).") var limit = 50
        @Option(help: "Continue after this cursor (printed after a full page).") var cursor: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let page = try await global.withConsole {
                try await $0.auditLog(
                    as: $1, AuditFilter(actor: actor, action: action, target: target, cursor: cursor, limit: limit))
            }
            if json { return try Output.json(AuditPage(entries: page.items, next: page.next)) }
            Output.table(
                ["ID", "AT", "ACTOR", "CHANNEL", "IP", "ACTION", "TARGET", "BEFORE", "AFTER"],
                page.items.map {
                    [
                        String($0.id), Output.date($0.at), $0.actor, $0.channel.rawValue, $0.clientIP ?? "-", $0.action,
                        $0.target, $0.before ?? "-", $0.after ?? "-",
                    ]
                })
            if let next = page.next { print("more: --cursor \(next)") }
        }
    }

    struct AuditPage: Encodable {
        let entries: [AuditEntry]
        let next: String?
    }
}
