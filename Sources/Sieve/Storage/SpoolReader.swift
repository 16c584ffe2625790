import Foundation
import NIOPosix

/// Reads a spooled message (or the start of it) off the event loops.
enum SpoolReader {
    struct Unreadable: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot read \(path)" }
    }

    /// The bytes of `path` from `offset`, at most `maximum` of them (nil: all).
    static func read(path: String, from offset: Int64, maximum: Int?) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw Unreadable(path: path) }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(max(0, offset)))
            let data = try (maximum.map { try handle.read(upToCount: $0) } ?? handle.readToEnd()) ?? Data()
            return [UInt8](data)
        }
    }
}
