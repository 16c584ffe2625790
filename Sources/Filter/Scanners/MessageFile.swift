import Foundation

/// Reads a spool file in bounded chunks, so that large messages are never loaded whole.
public struct MessageFile {
    static let chunkSize = 64 * 1024

    /// Calls `body` with each chunk of the file at `path`, in order.
    static func forEachChunk(
        _ path: String, chunkSize: Int = chunkSize, _ body: ([UInt8]) async throws -> Void
    ) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: chunkSize), !data.isEmpty {
            try await body([UInt8](data))
        }
    }

    /// The first `limit` bytes of the file (for the built-in checks, which need the structure, and the
    /// submission sender check, which needs the header).
    public static func read(_ path: String, limit: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        return [UInt8](try handle.read(upToCount: limit) ?? Data())
    }
}
