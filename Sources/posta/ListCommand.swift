import Admin
import ArgumentParser
import Core
import Foundation
import Lists

/// `posta list …`: mailing lists, their members and their held posts (docs/lists.md).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Manage mailing lists, their members and held posts.",
        subcommands: [
            Add.self, Delete.self, Show.self, Lists.self, Set.self, ListMemberCommand.self, ListHeldCommand.self,
            ListPendingCommand.self, ListDigestCommand.self, ListArchiveCommand.self, ListSyncCommand.self,
            ListBounceCommand.self, ListBanCommand.self, ListRuleCommand.self, ListImportCommand.self,
        ])

    /// The settings a list can be given at creation or changed later.
    struct SettingOptions: ParsableArguments {
        @Option(help: "Display name (List-Id phrase, \"Name via List\").") var name: String?
        @Option(help: "Description.") var description: String?
        @Option(help: "announce, discussion or open.") var style: ListStyle?
        @Option(help: "Subject prefix (\"\" for none; default [local-part]).") var subjectPrefix: String?
        @Option(help: "leave, list or explicit.") var replyTo: ReplyToPolicy?
        @Option(help: "The address for --reply-to explicit.") var replyToAddress: String?
        @Option(help: "defer (the later checks decide), accept (no later checks), hold, reject or discard: posts of members.")
        var memberAction: ModerationAction?
        @Option(help: "defer, accept, hold, reject or discard: posts of non-members.") var nonmemberAction: ModerationAction?
        @Option(help: "true: hold every post.") var emergency: Bool?
        @Option(help: "Largest post not held (e.g. 1M; 0: no limit).") var maxSize: String?
        @Option(help: "Most To/Cc addresses not held (0: no limit).") var maxRecipients: Int?
        @Option(help: "true: hold posts that name the list in neither To nor Cc.") var requireExplicitDestination: Bool?
        @Option(help: "true: hold posts that look like commands (\"unsubscribe\").") var administrivia: Bool?
        @Option(help: "none, munge or wrap: for authors whose domain publishes p=quarantine or p=reject.")
        var dmarcMitigation: DMARCMitigation?
        @Option(help: "true: mitigate every post.") var dmarcAlways: Bool?
        @Option(help: "Text added at the end of each post (\"\" for none).") var footer: String?
        @Option(help: "Bounces (days) before a member's delivery is disabled (0: never).") var bounceThreshold: Int?
        @Option(help: "open, confirm, moderate or confirm-then-moderate: requests to join.")
        var subscribePolicy: SubscriptionPolicy?
        @Option(help: "open, confirm, moderate or confirm-then-moderate: requests to leave.")
        var unsubscribePolicy: SubscriptionPolicy?
        @Option(help: "Send the digest once the posts waiting pass this size (e.g. 30K; 0: by period only).")
        var digestSizeThreshold: String?
        @Option(help: "none, daily, weekly or monthly: send the digest this long after the last one.")
        var digestPeriod: DigestPeriod?
        @Option(help: "none, private (members log in) or public: the archive of accepted posts.")
        var archive: ArchivePolicy?
        @Option(
            help: "domain:DOMAIN (its accounts), alias:ADDRESS (its targets) or none: members kept in sync with the directory.")
        var membersFrom: String?
        @Option(help: "Warnings a member disabled by bounces gets, a week apart, before removal (0: never removed).")
        var bounceWarnings: Int?
        @Option(help: "personalised (a copy per member, one-click unsubscribe, bounces attributed) or bulk.")
        var deliveryStyle: DeliveryStyle?
        @Option(help: "Days a held post waits for a moderator before it is discarded (0: until decided).")
        var holdDays: Int?

        /// A size option's bytes: "0", or a size such as 30K or 2M.
        static func bytes(_ text: String, option: String) throws -> Int64 {
            guard let size = text == "0" ? ByteSize(bytes: 0) : ByteSize(parsing: text) else {
                throw ValidationError("\(option): a size such as 30K or 2M")
            }
            return size.bytes
        }

        /// Applies the options given to `list`.
        func apply(to list: inout MailingList) throws {
            if let name { list.displayName = name }
            if let description { list.description = description }
            if let style { list.style = style }
            if let subjectPrefix { list.subjectPrefix = subjectPrefix }
            if let replyTo { list.replyTo = replyTo }
            if let replyToAddress { list.replyToAddress = replyToAddress }
            if let memberAction { list.memberAction = memberAction }
            if let nonmemberAction { list.nonmemberAction = nonmemberAction }
            if let emergency { list.emergency = emergency }
            if let maxSize { list.maxSize = try Self.bytes(maxSize, option: "--max-size") }
            if let maxRecipients { list.maxRecipients = maxRecipients }
            if let requireExplicitDestination { list.requireExplicitDestination = requireExplicitDestination }
            if let administrivia { list.administrivia = administrivia }
            if let dmarcMitigation { list.dmarcMitigation = dmarcMitigation }
            if let dmarcAlways { list.dmarcAlways = dmarcAlways }
            if let footer { list.footer = footer }
            if let bounceThreshold { list.bounceThreshold = bounceThreshold }
            if let subscribePolicy { list.subscribePolicy = subscribePolicy }
            if let unsubscribePolicy { list.unsubscribePolicy = unsubscribePolicy }
            if let digestSizeThreshold {
                list.digestSizeThreshold = try Self.bytes(digestSizeThreshold, option: "--digest-size-threshold")
            }
            if let digestPeriod { list.digestPeriod = digestPeriod }
            if let archive { list.archive = archive }
            if let membersFrom {
                if membersFrom == "none" {
                    list.memberSource = nil
                } else {
                    guard let source = MemberSource(membersFrom) else {
                        throw ValidationError("--members-from: domain:DOMAIN, alias:ADDRESS or none")
                    }
                    list.memberSource = source
                }
            }
            if let bounceWarnings { list.bounceWarnings = bounceWarnings }
            if let deliveryStyle { list.deliveryStyle = deliveryStyle }
            if let holdDays { list.holdDays = holdDays }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a list at ADDRESS (in a local domain).")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @OptionGroup var settings: SettingOptions
        @Option(help: "Owners (repeatable).") var owner: [String] = []

        func run() async throws {
            let settings = settings
            let owners = owner
            let list = try await global.withConsole { console, principal in
                let created = try await console.createList(as: principal, address: address, settings: ListSettings())
                let list = try await console.updateList(as: principal, address: created.address) { try settings.apply(to: &$0) }
                if !owners.isEmpty {
                    let result = try await console.addListMembers(
                        as: principal, list: list.address, members: owners.map { ($0, "") }, role: .owner)
                    for refused in result.refused { print("owner \(refused.address) refused: \(refused.reason)") }
                }
                return list
            }
            print("list \(list.address) created (\(list.style.rawValue))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Delete a list with its members and held posts.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String

        func run() async throws {
            try await global.withConsole { try await $0.deleteList(as: $1, address: address) }
            print("deleted list \(address)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a list's settings and member counts.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let (list, members) = try await global.withConsole { console, principal in
                (
                    try await console.mailingList(as: principal, address: address),
                    try await console.listMembers(as: principal, list: address)
                )
            }
            if json { return try Output.json(list) }
            let count = { (role: ListRole) in members.filter { $0.role == role }.count }
            let disabled = members.filter { $0.role == .member && $0.disabled != nil }.count
            Output.table(
                ["SETTING", "VALUE"],
                [
                    ["address", list.address], ["list-id", list.listID], ["name", list.displayName],
                    ["description", list.description], ["style", list.style.rawValue], ["subject prefix", list.subjectPrefix],
                    ["reply-to", list.replyTo.rawValue + (list.replyToAddress.isEmpty ? "" : " \(list.replyToAddress)")],
                    ["member action", list.memberAction.rawValue], ["nonmember action", list.nonmemberAction.rawValue],
                    ["emergency", "\(list.emergency)"], ["max size", list.maxSize == 0 ? "none" : Output.bytes(list.maxSize)],
                    ["max recipients", list.maxRecipients == 0 ? "none" : "\(list.maxRecipients)"],
                    ["require explicit destination", "\(list.requireExplicitDestination)"],
                    ["administrivia", "\(list.administrivia)"],
                    ["dmarc mitigation", list.dmarcMitigation.rawValue + (list.dmarcAlways ? " (always)" : " (strict domains)")],
                    ["footer", list.footer], ["bounce threshold", "\(list.bounceThreshold)"],
                    ["subscribe policy", list.subscribePolicy.rawValue],
                    ["unsubscribe policy", list.unsubscribePolicy.rawValue], ["archive", list.archive.rawValue],
                    ["members from", list.memberSource?.description ?? "none"],
                    ["bounce warnings", "\(list.bounceWarnings)"],
                    ["delivery style", list.deliveryStyle.rawValue],
                    ["hold days", list.holdDays == 0 ? "until decided" : "\(list.holdDays)"],
                    [
                        "digest",
                        "\(list.digestPeriod.rawValue), or at \(list.digestSizeThreshold == 0 ? "any size" : Output.bytes(list.digestSizeThreshold)); next: vol \(list.digestVolume), issue \(list.digestIssue)",
                    ],
                    ["members", "\(count(.member)) (\(disabled) disabled)"], ["owners", "\(count(.owner))"],
                    ["moderators", "\(count(.moderator))"],
                ])
        }
    }

    struct Lists: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the lists.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this domain.") var domain: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let lists = try await global.withConsole { try await $0.mailingLists(as: $1, domain: domain) }
            if json { return try Output.json(lists) }
            Output.table(["ADDRESS", "STYLE", "NAME"], lists.map { [$0.address, $0.style.rawValue, $0.displayName] })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a list's settings.")
        @OptionGroup var global: GlobalOptions
        @Argument var address: String
        @OptionGroup var settings: SettingOptions

        func run() async throws {
            let settings = settings
            let list = try await global.withConsole { console, principal in
                try await console.updateList(as: principal, address: address) { try settings.apply(to: &$0) }
            }
            print("list \(list.address) updated")
        }
    }
}

extension ListStyle: ExpressibleByArgument {}
extension ReplyToPolicy: ExpressibleByArgument {}
extension ModerationAction: ExpressibleByArgument {}
extension DMARCMitigation: ExpressibleByArgument {}
extension ListRole: ExpressibleByArgument {}
extension DeliveryStyle: ExpressibleByArgument {}
extension DeliveryDisabled: ExpressibleByArgument {}
extension ModeratorDecision: ExpressibleByArgument {}
extension SubscriptionPolicy: ExpressibleByArgument {}
extension DeliveryMode: ExpressibleByArgument {}
extension DigestPeriod: ExpressibleByArgument {}
extension ArchivePolicy: ExpressibleByArgument {}
