import Core
import Foundation
import SQLKit

extension ListTransport {
    /// Removes a list with everything it kept: its rows (`MailingLists.delete`) and then the
    /// files of its held posts, waiting digest posts and archive. A crash between leaves only
    /// files no row names.
    public func deleteList(_ address: String) async throws {
        let list = try await lists.list(address)
        let files: [String] = try await database.withConnection { db in
            var files: [String] = []
            for (table, column, directory) in [
                ("list_held", "file", settings.heldDirectory), ("list_digest_entry", "file", settings.digestDirectory),
                ("list_archive", "file", settings.archiveDirectory),
            ] {
                files += try await db.select().column(column).from(table).where("list_id", .equal, list.id)
                    .all(decodingColumn: column, as: String.self).map { "\(directory)/\($0)" }
            }
            return files
        }
        try await lists.delete(address)
        for file in files { unlink(file) }
        logger.info("list deleted", metadata: ["list": "\(list.address)", "files": "\(files.count)"])
    }
}
