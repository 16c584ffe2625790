import Core
import Foundation
import Testing

@Suite("DurableFile")
struct DurableFileTests {
    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "durable-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("appending another file from an offset copies exactly its tail, larger than one buffer")
    func appendFromOffset() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
        FileManager.default.createFile(atPath: dir + "/source", contents: Data(source))

        let file = try DurableFile(creating: dir + "/tmp")
        try file.write(Array("Delivered-To: a@example.org\r\n".utf8))
        let copied = try file.append(contentsOf: dir + "/source", offset: 1_000)
        try file.commit(to: dir + "/placed")

        #expect(copied == 299_000)
        #expect(file.bytesWritten == 29 + 299_000)
        let placed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/placed")))
        #expect(placed == Array("Delivered-To: a@example.org\r\n".utf8) + source[1_000...])
        #expect(!FileManager.default.fileExists(atPath: dir + "/tmp"))
    }

    @Test("appending from an offset at or past the end adds nothing; a missing source throws")
    func appendEdges() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/source", contents: Data("abc".utf8))
        let file = try DurableFile(creating: dir + "/tmp")
        #expect(try file.append(contentsOf: dir + "/source", offset: 3) == 0)
        #expect(try file.append(contentsOf: dir + "/source", offset: 10) == 0)
        #expect(throws: FileError.self) { try file.append(contentsOf: dir + "/missing") }
        #expect(file.bytesWritten == 0)
        file.discard()
    }
}
