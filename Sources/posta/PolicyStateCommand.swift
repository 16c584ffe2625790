import ArgumentParser
import Policy

struct PolicyQuotaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "quota", abstract: "Show quota counters.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let counters = try await global.withSite { try await PolicyState(database: $0.database).quotaCounters() }
        if json { return try Output.json(counters) }
        Output.table(
            ["RULE", "KEY", "WINDOW", "MESSAGES", "BYTES"],
            counters.map { ["#\($0.ruleID)", $0.key, Output.date($0.windowStart), String($0.messages), String($0.bytes)] })
    }
}

struct PolicyGreylistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "greylist", abstract: "Show greylist triplets.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let entries = try await global.withSite { try await PolicyState(database: $0.database).greylist() }
        if json { return try Output.json(entries) }
        Output.table(
            ["NETWORK", "SENDER", "RECIPIENT", "FIRST SEEN", "LAST SEEN", "PASSED"],
            entries.map {
                [
                    $0.network, $0.sender, $0.recipient, Output.date($0.firstSeen), Output.date($0.lastSeen),
                    $0.passed ? "yes" : "no",
                ]
            })
    }
}

struct PolicyAccountingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounting", abstract: "Show accounting totals per window.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let totals = try await global.withSite { try await PolicyState(database: $0.database).accounting() }
        if json { return try Output.json(totals) }
        Output.table(
            ["RULE", "WINDOW", "MESSAGES", "BYTES"],
            totals.map { ["#\($0.ruleID)", Output.date($0.windowStart), String($0.messages), String($0.bytes)] })
    }
}

struct PolicyPurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Forget greylist entries and HELO history not seen for a while.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Age in seconds.") var olderThan: Int64 = 30 * 86400

    func run() async throws {
        let removed = try await global.withSite { try await PolicyHousekeeping.purge($0.database, olderThan: olderThan) }
        print("removed \(removed) entries")
    }
}
