import Foundation

/// Reading a file given to an import command, bounded.
enum ImportFile {
    /// The file's bytes; an error when it cannot be read or is larger than `limit`.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
        defer { try? handle.close() }
        let data = (try handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else { throw CLIError("\(path): larger than \(limit) octets") }
        return Array(data)
    }
}
