import Core
import SQLKit

/// Removes what Sieve no longer needs: vacation and duplicate records past their period, and
/// the once-only markers of sends older than a month (a delivery is never retried that late).
enum SieveUpkeep {
    static func purge(_ database: Database) async throws {
        let now = UnixTime.now()
        try await database.withConnection { db in
            try await db.delete(from: "sieve_vacation").where("expires_at", .lessThan, now).run()
            try await db.delete(from: "sieve_duplicate").where("expires_at", .lessThan, now).run()
            try await db.delete(from: "sieve_sent").where("created_at", .lessThan, now - 31 * 86_400).run()
        }
    }
}
