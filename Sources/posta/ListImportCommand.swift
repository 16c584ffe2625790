import Admin
import ArgumentParser
import Foundation
import Lists

/// `posta list import mailman3|mailman21 …`: a list and its members from a Mailman export
/// (docs/lists.md, "Import from Mailman"). Parsing is `Mailman3Export`/`Mailman21Dump`, the
/// writing `AdminConsole.importList`; this command only reads the files and prints.
struct ListImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a list from Mailman 3 or Mailman 2.1.",
        subcommands: [Mailman3.self, Mailman21.self])

    /// The largest file read: a configuration or a roster.
    static let limit = 64 << 20

    /// What the import does with the result, and the rosters that mark members of a text roster.
    struct CommonOptions: ParsableArguments {
        @Option(help: "Addresses (one a line) that get MIME digests.") var digestMembers: String?
        @Option(help: "Addresses (one a line) that get plain-text digests.") var plainDigestMembers: String?
        @Option(help: "Addresses (one a line) whose delivery is off.") var nomailMembers: String?
        @Flag(help: "Show what would be done, change nothing.") var dryRun = false
        @Flag(help: "Change the list if it exists already (settings, and members added or changed; none removed).")
        var update = false
        @Flag(help: "Print JSON.") var json = false

        func marks() throws -> MailmanRosterMarks {
            var marks = MailmanRosterMarks()
            if let digestMembers { marks.digest = try MailmanMemberText.addresses(read(digestMembers)) }
            if let plainDigestMembers { marks.plainDigest = try MailmanMemberText.addresses(read(plainDigestMembers)) }
            if let nomailMembers { marks.nomail = try MailmanMemberText.addresses(read(nomailMembers)) }
            return marks
        }

        func read(_ path: String) throws -> [UInt8] { try ImportFile.read(path, limit: ListImportCommand.limit) }

        /// Imports `export` into `list` and prints the outcome.
        func run(_ global: GlobalOptions, list: String, export: MailmanListExport) async throws {
            let update = update
            let dryRun = dryRun
            let result = try await global.withConsole { console, principal in
                try await console.importList(as: principal, address: list, export: export, update: update, dryRun: dryRun)
            }
            if json { return try Output.json(result) }
            let verb = dryRun ? "would be" : "was"
            print("list \(result.list) \(verb) \(result.created ? "created" : "updated")")
            for setting in result.settings {
                print("  \(setting.name): \(setting.before.map { "\($0) -> " } ?? "")\(setting.after)")
            }
            for member in result.added {
                print("  add \(Self.describe(member))")
            }
            for member in result.changed {
                print("  change \(Self.describe(member))")
            }
            for refused in result.refused {
                print("  refused \(refused.role.rawValue) \(refused.address): \(refused.reason)")
            }
            for warning in result.warnings { print("warning: \(warning)") }
            print(
                "\(result.added.count) added, \(result.changed.count) changed, \(result.refused.count) refused, "
                    + "\(result.warnings.count) warnings\(dryRun ? " (dry run: nothing changed)" : "")")
        }

        static func describe(_ member: ImportedListMember) -> String {
            var text = "\(member.role.rawValue) \(member.address)"
            if !member.displayName.isEmpty { text += " (\(member.displayName))" }
            if member.mode != .regular { text += " mode \(member.mode.rawValue)" }
            if let disabled = member.disabled { text += " delivery off (\(disabled.rawValue))" }
            if let moderation = member.moderation { text += " moderation \(moderation.rawValue)" }
            return text
        }
    }

    /// A roster file is JSON (Mailman 3's REST) when it starts with `{` or `[`, else text.
    static func roster(_ bytes: [UInt8], role: ListRole) -> Mailman3Export.Roster {
        let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json(bytes, role: role) : .text(bytes, role: role)
    }

    struct Mailman3: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mailman3",
            abstract: "Import a Mailman 3 list: REST config JSON, and rosters as REST JSON or 'mailman members' text.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The list's address on this site.") var list: String
        @Option(name: .customLong("list-config"), help: "GET /3.1/lists/LIST/config, as JSON.") var config: String
        @Option(help: "Members: GET /3.1/lists/LIST/roster/member (JSON) or 'mailman members LIST' (text).")
        var members: String
        @Option(help: "Owners: the owner roster (JSON) or 'mailman members -R owner LIST' (text).") var owners: String?
        @Option(help: "Moderators: the moderator roster (JSON) or 'mailman members -R moderator LIST' (text).")
        var moderators: String?
        @OptionGroup var options: CommonOptions

        func run() async throws {
            var rosters = [ListImportCommand.roster(try options.read(members), role: .member)]
            if let owners { rosters.append(ListImportCommand.roster(try options.read(owners), role: .owner)) }
            if let moderators { rosters.append(ListImportCommand.roster(try options.read(moderators), role: .moderator)) }
            let export: MailmanListExport
            do {
                export = try Mailman3Export.parse(
                    config: try options.read(config), rosters: rosters, marks: try options.marks(), address: list)
            } catch let error as MailmanImportError {
                throw CLIError(error.description)
            }
            try await options.run(global, list: list, export: export)
        }
    }

    struct Mailman21: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mailman21", abstract: "Import a Mailman 2.1 list: 'config_list -o -' and 'list_members -f' output.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The list's address on this site.") var list: String
        @Option(name: .customLong("list-config"), help: "The output of 'config_list -o - LIST'.") var config: String
        @Option(help: "The output of 'list_members -f LIST'.") var members: String
        @Option(help: "Addresses (one a line) whose moderation flag is set.") var moderatedMembers: String?
        @OptionGroup var options: CommonOptions

        func run() async throws {
            var marks = try options.marks()
            if let moderatedMembers { marks.moderated = try MailmanMemberText.addresses(options.read(moderatedMembers)) }
            let export: MailmanListExport
            do {
                export = try Mailman21Dump.parse(
                    config: try options.read(config), members: try options.read(members), rosters: marks)
            } catch let error as MailmanImportError {
                throw CLIError(error.description)
            }
            try await options.run(global, list: list, export: export)
        }
    }
}
