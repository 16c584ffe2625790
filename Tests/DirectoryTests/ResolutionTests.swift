import Core
import Directory
import PostaTestSupport
import Testing

@Suite("Recipient resolution: aliases, subaddresses, catch-all, loops, limits")
struct ResolutionTests {
    private func address(_ text: String) throws -> MailAddress { try MailAddress(parsing: text) }

    /// The delivered addresses (mailbox ones with their detail), for compact expectations.
    private func resolve(_ dir: Directory, _ text: String) async throws -> [String]? {
        guard case .deliver(let deliveries) = try await dir.resolve(try address(text)) else { return nil }
        return deliveries.map {
            switch $0 {
            case .mailbox(_, let address, let detail): detail.map { "\(address)+\($0)" } ?? address
            case .external(let address): "ext:\(address)"
            case .service(let owner): "service:\(owner.address)"
            }
        }
    }

    private func seed(_ dir: Directory) async throws {
        try await dir.addDomain("example.org")
        for user in ["alice", "bob", "carol", "postmaster"] {
            try await dir.addAccount("\(user)@example.org", password: DirectoryFixture.password)
        }
    }

    @Test("accounts, unknown users and foreign domains", arguments: TestDatabases.dialects)
    func plain(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            #expect(try await resolve(dir, "ALICE@Example.org") == ["alice@example.org"])
            #expect(try await dir.resolve(try address("nobody@example.org")) == .unknown)
            #expect(try await dir.resolve(try address("alice@other.example")) == .notLocal)
        }
    }

    @Test("multi-target aliases deliver once per mailbox, nested and external", arguments: TestDatabases.dialects)
    func multiTarget(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            try await dir.addAlias("staff@example.org", targets: ["alice@example.org", "team@example.org", "x@remote.example"])
            try await dir.addAlias("team@example.org", targets: ["Alice@example.org", "bob@example.org"])
            #expect(
                try await resolve(dir, "staff@example.org") == ["alice@example.org", "bob@example.org", "ext:x@remote.example"])
        }
    }

    @Test("an alias naming itself keeps a copy in the mailbox", arguments: TestDatabases.dialects)
    func keepCopy(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            try await dir.addAlias("bob@example.org", targets: ["bob@example.org", "bob@home.example"])
            #expect(try await resolve(dir, "bob@example.org") == ["bob@example.org", "ext:bob@home.example"])
        }
    }

    @Test("subaddresses keep their detail; exact names win", arguments: TestDatabases.dialects)
    func subaddress(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            try await dir.addAccount("carol+special@example.org", password: DirectoryFixture.password)
            try await dir.addAlias("lists@example.org", targets: ["bob@example.org"])
            #expect(try await resolve(dir, "alice+news@example.org") == ["alice@example.org+news"])
            #expect(try await resolve(dir, "carol+special@example.org") == ["carol+special@example.org"])
            #expect(try await resolve(dir, "lists+x@example.org") == ["bob@example.org"])
            #expect(try await dir.resolve(try address("nobody+x@example.org")) == .unknown)
        }
    }

    @Test("catch-all takes only what nothing else takes", arguments: TestDatabases.dialects)
    func catchAll(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            try await dir.addAlias("@example.org", targets: ["postmaster@example.org"])
            #expect(try await resolve(dir, "whoever@example.org") == ["postmaster@example.org"])
            #expect(try await resolve(dir, "whoever+tag@example.org") == ["postmaster@example.org"])
            #expect(try await resolve(dir, "alice@example.org") == ["alice@example.org"])
            #expect(try await resolve(dir, "alice+tag@example.org") == ["alice@example.org+tag"])
        }
    }

    @Test("loops are cut; a loop with nothing deliverable is an error", arguments: TestDatabases.dialects)
    func loops(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            try await dir.addAlias("a@example.org", targets: ["b@example.org"])
            try await dir.addAlias("b@example.org", targets: ["a@example.org"])
            await #expect(throws: ResolutionError.loop("a@example.org")) { try await dir.resolve(try address("a@example.org")) }
            try await dir.addAlias("b@example.org", targets: ["carol@example.org"])
            #expect(try await resolve(dir, "a@example.org") == ["carol@example.org"])
            // A catch-all pointing into its own domain at an unknown name must not recurse forever.
            try await dir.addAlias("@example.org", targets: ["ghost@example.org"])
            await #expect(throws: ResolutionError.loop("zz@example.org")) { try await dir.resolve(try address("zz@example.org")) }
        }
    }

    @Test("expansion and depth limits", arguments: TestDatabases.dialects)
    func limits(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await seed(dir)
            // A chain deeper than the fixture's depth limit of 5.
            for i in 0..<7 { try await dir.addAlias("chain\(i)@example.org", targets: ["chain\(i + 1)@example.org"]) }
            try await dir.addAlias("chain7@example.org", targets: ["alice@example.org"])
            await #expect(throws: ResolutionError.expansionLimit("chain0@example.org")) {
                try await dir.resolve(try address("chain0@example.org"))
            }
            #expect(try await resolve(dir, "chain4@example.org") == ["alice@example.org"])
            // More targets than the fixture's expansion limit of 50.
            try await dir.addAlias("all@example.org", targets: (0..<60).map { "r\($0)@remote.example" })
            await #expect(throws: ResolutionError.expansionLimit("all@example.org")) {
                try await dir.resolve(try address("all@example.org"))
            }
        }
    }
}
