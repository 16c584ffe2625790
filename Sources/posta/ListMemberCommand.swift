import Admin
import ArgumentParser
import Core
import Foundation
import Lists

/// `posta list member …`: who is on a list, in which role, receiving or not.
struct ListMemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Manage a list's members, owners and moderators.",
        subcommands: [Add.self, Invite.self, Delete.self, Members.self, Set.self])

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite addresses ('address' or 'Name <address>'): each joins when it replies or follows the link.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument var addresses: [String]

        func run() async throws {
            let entries = addresses.map { MemberLine.parse($0) ?? (address: $0, name: "") }
            let lines = try await global.withConsole { console, principal in
                try await console.inviteListMembers(as: principal, list: list, members: entries)
            }
            for line in lines { print(line) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add addresses to a list (or --file: one per line, 'address' or 'Name <address>' or 'address,Name').")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument var addresses: [String] = []
        @Option(help: "member, owner or moderator.") var role: ListRole = .member
        @Option(help: "A file of addresses, one per line ('-' for standard input).") var file: String?
        @Flag(help: "Show what would be added, change nothing.") var dryRun = false

        func run() async throws {
            var entries = addresses.map { MemberLine.parse($0) ?? (address: $0, name: "") }
            if let file {
                let bytes =
                    file == "-"
                    ? Array(FileHandle.standardInput.readDataToEndOfFile()) : try ImportFile.read(file, limit: 64 << 20)
                let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
                for (n, line) in lines.enumerated() {
                    let text = line.trimmingCharacters(in: .whitespaces)
                    if text.isEmpty || text.hasPrefix("#") { continue }
                    guard let entry = MemberLine.parse(text) else {
                        print("line \(n + 1): not an address: \(text)")
                        continue
                    }
                    entries.append(entry)
                }
            }
            guard !entries.isEmpty else { throw ValidationError("name addresses, or --file") }
            let role = role
            let dryRun = dryRun
            let entriesToAdd = entries
            let (added, refused) = try await global.withConsole { console, principal in
                if dryRun {
                    let present = Swift.Set(
                        try await console.listMembers(as: principal, list: list, role: role).map { $0.address.lowercased() })
                    let new = entriesToAdd.filter { !present.contains($0.address.lowercased()) }
                    return (
                        new.map { ($0.address) },
                        entriesToAdd.filter { present.contains($0.address.lowercased()) }.map {
                            ($0.address, "already on the list")
                        }
                    )
                }
                var added: [String] = []
                var refused: [(String, String)] = []
                let progress = Progress(total: entriesToAdd.count)
                // In chunks, so a long import shows its progress and each chunk is audited once.
                for start in stride(from: 0, to: entriesToAdd.count, by: 500) {
                    let chunk = Array(entriesToAdd[start..<min(start + 500, entriesToAdd.count)])
                    let result = try await console.addListMembers(as: principal, list: list, members: chunk, role: role)
                    added += result.added.map(\.address)
                    refused += result.refused.map { ($0.address, $0.reason) }
                    progress.advance(to: start + chunk.count)
                }
                progress.finish()
                return (added, refused)
            }
            for (address, reason) in refused { print("\(address): \(reason)") }
            print(
                "\(dryRun ? "would add" : "added") \(added.count) \(role.rawValue)\(added.count == 1 ? "" : "s") to \(list)"
                    + (refused.isEmpty ? "" : ", \(refused.count) refused"))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove addresses from a list.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument var addresses: [String]
        @Option(help: "member, owner or moderator.") var role: ListRole = .member

        func run() async throws {
            let role = role
            try await global.withConsole { console, principal in
                for address in addresses {
                    try await console.removeListMember(as: principal, list: list, address: address, role: role)
                }
            }
            print("removed \(addresses.count) from \(list)")
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List a list's members.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Option(help: "Only this role.") var role: ListRole?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let role = role
            let members = try await global.withConsole { try await $0.listMembers(as: $1, list: list, role: role) }
            if json { return try Output.json(members) }
            Output.table(
                ["ADDRESS", "ROLE", "NAME", "DELIVERY", "MODE", "MODERATION", "SOURCE", "BOUNCES"],
                members.map {
                    [
                        $0.address, $0.role.rawValue, $0.displayName, $0.disabled.map { "off (\($0.rawValue))" } ?? "on",
                        $0.mode.rawValue, $0.moderation?.rawValue ?? "list", $0.source,
                        "score \($0.bounceScore), warned \($0.bounceWarnings)",
                    ]
                })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a member's delivery, digest mode or moderation.")
        @OptionGroup var global: GlobalOptions
        @Argument var list: String
        @Argument var address: String
        @Option(help: "member, owner or moderator.") var role: ListRole = .member
        @Option(help: "on, or off (disabled by the moderator).") var delivery: String?
        @Option(help: "defer, accept, hold, reject, discard, or list (the list's setting).") var moderation: String?
        @Option(help: "regular (a copy per post), mime-digest or plain-digest.") var mode: DeliveryMode?

        func run() async throws {
            var disabled: DeliveryDisabled?? = nil
            switch delivery {
            case nil: break
            case "on": disabled = .some(nil)
            case "off": disabled = .some(.moderator)
            default: throw ValidationError("--delivery: on or off")
            }
            var action: ModerationAction?? = nil
            if let moderation {
                if moderation == "list" {
                    action = .some(nil)
                } else {
                    guard let value = ModerationAction(rawValue: moderation) else {
                        throw ValidationError("--moderation: accept, hold, reject, discard or list")
                    }
                    action = .some(value)
                }
            }
            let role = role
            let (d, a, m) = (disabled, action, mode)
            let member = try await global.withConsole {
                try await $0.setListMember(as: $1, list: list, address: address, role: role, disabled: d, moderation: a, mode: m)
            }
            print(
                "\(member.address): delivery \(member.disabled == nil ? "on" : "off") (\(member.mode.rawValue)), moderation \(member.moderation?.rawValue ?? "list")"
            )
        }
    }
}

/// A progress bar with an estimate on a terminal; nothing when standard error is not one.
final class Progress: @unchecked Sendable {
    let total: Int
    let started = Date()
    let terminal = isatty(STDERR_FILENO) != 0

    init(total: Int) { self.total = total }

    func advance(to done: Int) {
        guard terminal, total > 0 else { return }
        let fraction = Double(done) / Double(total)
        let elapsed = Date().timeIntervalSince(started)
        let eta = fraction > 0 ? Int(elapsed / fraction - elapsed) : 0
        let width = 30
        let bar = String(repeating: "#", count: Int(fraction * Double(width))).padding(
            toLength: width, withPad: " ", startingAt: 0)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) ETA \(eta)s ".utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
