import Foundation
import Testing

@testable import Sieve

@Suite("Sieve date and index (RFC 5260)")
struct SieveDateTests {
    static func run(_ body: String, zone: Int = 0) async throws -> [SieveAction] {
        var context = SieveFixture.context()
        context.localZoneOffsetMinutes = zone
        return try await SieveFixture.run(
            "require [\"date\", \"index\", \"fileinto\", \"relational\"];\n" + body, context: context
        ).actions
    }

    @Test(
        "date parts of the Date field, in the local zone by default (§4.2)",
        arguments: [
            ("year", "2005"), ("month", "08"), ("day", "08"), ("date", "2005-08-08"), ("hour", "17"), ("minute", "41"),
            ("second", "20"), ("time", "17:41:20"), ("weekday", "1"), ("zone", "+0000"), ("julian", "53590"),
            ("iso8601", "2005-08-08T17:41:20Z"), ("std11", "Mon, 08 Aug 2005 17:41:20 +0000"),
        ])
    func parts(part: String, expected: String) async throws {
        #expect(try await Self.run(#"if date :is "date" "\#(part)" "\#(expected)" { fileinto "yes"; }"#).count == 1)
    }

    @Test(":originalzone keeps the field's zone; :zone converts (§4.1)")
    func zones() async throws {
        #expect(
            try await Self.run(#"if date :originalzone :is "date" "hour" "10" { fileinto "yes"; }"#).first
                == .fileinto(mailbox: "yes", flags: [], create: false))
        #expect(try await Self.run(#"if date :zone "+0200" :is "date" "time" "19:41:20" { fileinto "yes"; }"#).count == 1)
        #expect(try await Self.run(#"if date :is "date" "zone" "+0100" { fileinto "yes"; }"#, zone: 60).count == 1)
    }

    @Test("Received: the date after the last semicolon; :index picks the field (§4, §6)")
    func received() async throws {
        #expect(try await Self.run(#"if date :index 1 :is "received" "year" "2005" { fileinto "yes"; }"#).count == 1)
        #expect(
            try await Self.run(#"if date :index 2 :is "received" "year" "2005" { fileinto "yes"; }"#).first == .keep(flags: []))
    }

    @Test("currentdate reads the context's clock (§5)")
    func currentdate() async throws {
        #expect(try await Self.run(#"if currentdate :is "date" "2005-08-08" { fileinto "today"; }"#).count == 1)
        #expect(
            try await Self.run(#"if currentdate :value "ge" "iso8601" "2005-01-01T00:00:00+00:00" { fileinto "after"; }"#)
                .count == 1)
    }

    @Test(":index and :last on header (RFC 5260 §6)")
    func index() async throws {
        #expect(try await Self.run(#"if header :index 2 :is "X-Spam" "maybe" { fileinto "second"; }"#).count == 1)
        #expect(try await Self.run(#"if header :index 1 :last :is "X-Spam" "maybe" { fileinto "last"; }"#).count == 1)
        #expect(try await Self.run(#"if header :index 3 :is "X-Spam" "maybe" { fileinto "none"; }"#) == [.keep(flags: [])])
    }

    @Test("weekday and julian day arithmetic around 1970")
    func arithmetic() {
        let epoch = SieveDateParts(secondsSince1970: 0, zoneMinutes: 0)
        #expect(epoch.value(of: "weekday") == "4")
        #expect(epoch.value(of: "julian") == "40587")
        let before = SieveDateParts(secondsSince1970: -1, zoneMinutes: 0)
        #expect(before.value(of: "iso8601") == "1969-12-31T23:59:59Z")
        #expect(SieveDateParts(secondsSince1970: 0, zoneMinutes: 120).value(of: "iso8601") == "1970-01-01T02:00:00+02:00")
        #expect(SieveDateParts(secondsSince1970: 0, zoneMinutes: -330).value(of: "zone") == "-0530")
    }

    @Test("unknown date parts and zones compile (as in Pigeonhole) and match nothing")
    func unknownParts() async throws {
        #expect(try await Self.run(#"if currentdate :is "fortnight" "" { fileinto "x"; }"#) == [.keep(flags: [])])
        #expect(try await Self.run(#"if currentdate :zone "CET" :matches "year" "*" { fileinto "x"; }"#) == [.keep(flags: [])])
    }
}
