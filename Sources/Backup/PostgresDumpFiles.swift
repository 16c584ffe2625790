import Core
import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLiteKit

/// The files a PostgreSQL dump's rows name, for `verify`: `pg_restore --data-only` writes the
/// tables that name files as `COPY … FROM stdin` blocks, which are loaded into an in-memory SQLite
/// database so that `BackupFileSet`'s own queries list them — the same queries `create` ran on the
/// live snapshot, not a second reading of the tables.
enum PostgresDumpFiles {
    /// The tables `BackupFileSet.all`'s queries read.
    static let tables = [
        "message", "mailbox", "store_account", "queue_message", "quarantine", "list_held", "list_digest_entry",
        "list_archive",
    ]

    static func named(dump: String, pgRestore: String, logger: Logger) async throws -> [BackupFileSet.Named] {
        try await withTables(tables, dump: dump, pgRestore: pgRestore, logger: logger) { db in
            try await BackupFileSet.named(in: db, dialect: .sqlite)
        }
    }

    /// Loads `tables` of the dump into an in-memory SQLite database and runs `body` on it. Every
    /// column is untyped and every value text (or NULL): queries `CAST` what they compare as numbers.
    static func withTables<R: Sendable>(
        _ tables: [String], dump: String, pgRestore: String, logger: Logger,
        _ body: @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        let script = NSTemporaryDirectory() + "/posta-dump-\(UInt64.random(in: 0...UInt64.max)).sql"
        defer { unlink(script) }
        try await DatabaseSnapshot.run(
            pgRestore, ["--data-only", "--file=\(script)"] + tables.map { "--table=\($0)" } + [dump], logger: logger)
        guard let text = FileManager.default.contents(atPath: script) else { throw BackupError.unreadable(script) }
        let blocks = copyBlocks(String(decoding: text, as: UTF8.self))
        let connection = try await SQLiteConnection.open(
            storage: .memory, threadPool: NIOThreadPool.singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any()
        ).get()
        do {
            let db = connection.sql()
            for block in blocks {
                let columns = block.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let create = "CREATE TABLE \"\(block.table)\" (\(columns))"
                try await db.raw(SQLQueryString(create)).run()
                // SQLite binds at most 32,766 values per statement.
                let perStatement = max(1, 30_000 / max(1, block.columns.count))
                var start = 0
                while start < block.rows.count {
                    let rows = block.rows[start..<min(start + perStatement, block.rows.count)]
                    start += perStatement
                    let values = rows.map { row -> SQLQueryString in
                        let fields: [any Encodable & Sendable] = row.map { $0 }
                        return "(\(binds: fields))"
                    }
                    try await db.raw(
                        "INSERT INTO \(ident: block.table) (\(unsafeRaw: columns)) VALUES \(values.joined(separator: ", "))"
                    ).run()
                }
            }
            let result = try await body(db)
            try await connection.close().get()
            return result
        } catch {
            try? await connection.close().get()
            throw error
        }
    }

    /// One table's rows from a plain-text dump.
    struct CopyBlock: Equatable {
        var table: String
        var columns: [String]
        /// Each value as text; nil is SQL NULL.
        var rows: [[String?]]
    }

    /// The `COPY schema.table (columns) FROM stdin;` blocks of a plain-text dump, up to `\.`
    /// (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format").
    static func copyBlocks(_ script: String) -> [CopyBlock] {
        var blocks: [CopyBlock] = []
        var current: CopyBlock?
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            if var block = current {
                if line == "\\." {
                    blocks.append(block)
                    current = nil
                } else {
                    block.rows.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(unescape))
                    current = block
                }
                continue
            }
            guard line.hasPrefix("COPY "), line.hasSuffix(" FROM stdin;"), let open = line.firstIndex(of: "("),
                let close = line.lastIndex(of: ")")
            else { continue }
            let name = line[line.index(line.startIndex, offsetBy: 5)..<open].trimmingCharacters(in: .whitespaces)
            let table = unquote(name.split(separator: ".").last.map(String.init) ?? name)
            let columns = line[line.index(after: open)..<close].split(separator: ",").map {
                unquote($0.trimmingCharacters(in: .whitespaces))
            }
            current = CopyBlock(table: table, columns: columns, rows: [])
        }
        return blocks
    }

    static func unquote(_ name: String) -> String {
        guard name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") else { return name }
        return String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
    }

    /// A text-format field: `\N` is NULL; backslash escapes `\\ \t \n \r \b \f \v`, octal `\ooo` and `\xhh`.
    static func unescape(_ field: Substring) -> String? {
        if field == "\\N" { return nil }
        guard field.contains("\\") else { return String(field) }
        var out: [UInt8] = []
        var bytes = Array(field.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "\\"), let next = bytes.popFirst() else {
                out.append(byte)
                continue
            }
            switch next {
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(next - UInt8(ascii: "0"))
                for _ in 0..<2 {
                    guard let digit = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit) else { break }
                    value = value * 8 + Int(digit - UInt8(ascii: "0"))
                    bytes.removeFirst()
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"):
                var value = 0
                var digits = 0
                while digits < 2, let digit = bytes.first, let nibble = hexValue(digit) {
                    value = value * 16 + nibble
                    bytes.removeFirst()
                    digits += 1
                }
                if digits == 0 { out.append(next) } else { out.append(UInt8(value)) }
            default: out.append(next)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
