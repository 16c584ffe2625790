import Core
import Foundation

/// Listing output shared by the admin commands: JSON for scripts, aligned columns for people.
enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints rows under a header, each column as wide as its widest cell.
    /// Cells may hold text from mail (a held post's subject): control characters (escape
    /// sequences, line breaks) are shown as `?` so they cannot rewrite the terminal.
    static func table(_ header: [String], _ rows: [[String]]) {
        let all = [header] + rows.map { $0.map(printable) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        for row in all {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            print(cells.joined(separator: "  "))
        }
    }

    static func printable(_ cell: String) -> String {
        guard cell.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return cell }
        return String(String.UnicodeScalarView(cell.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }

    static func date(_ unix: Int64?) -> String {
        guard let unix else { return "never" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    static func bytes(_ n: Int64) -> String {
        n > 0 ? ByteSize(bytes: n).description : "unlimited"
    }
}
