import Core
import Foundation
import PostaTestSupport
import Testing

@testable import Server

/// Which modes `posta serve` warns about (issue #12 item 9).
@Suite struct FileModesTests {
    @Test func secretPathsOthersCanReachAreReported() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let data = folder.path + "/data"
        let fm = FileManager.default
        for path in [data, data + "/mail", data + "/spool", data + "/tls"] {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        for path in [data + "/posta.db", data + "/posta.db-wal", data + "/tls/key.pem"] {
            #expect(fm.createFile(atPath: path, contents: Data("x".utf8), attributes: [.posixPermissions: 0o600]))
        }
        var config = PostaConfig(
            hostname: "mx.example.org", dataDirectory: data, nodeID: "mx",
            database: DatabaseSettings(url: .sqlite(path: data + "/posta.db")),
            tls: TLSSettings(certificatePath: data + "/tls/cert.pem", keyPath: data + "/tls/key.pem"))
        #expect(FileModes.check(config).isEmpty)

        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: data)
        try fm.setAttributes([.posixPermissions: 0o640], ofItemAtPath: data + "/posta.db-wal")
        try fm.setAttributes([.posixPermissions: 0o640], ofItemAtPath: data + "/tls/key.pem")  // a key's group may read it
        #expect(
            FileModes.check(config) == [
                FileModes.Finding(path: data, mode: 0o755), FileModes.Finding(path: data + "/posta.db-wal", mode: 0o640),
            ])
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: data + "/tls/key.pem")
        #expect(FileModes.check(config).last == FileModes.Finding(path: data + "/tls/key.pem", mode: 0o644))
        #expect(FileModes.check(config).last?.description == "\(data)/tls/key.pem has mode 0644")

        config.delivery.relayPasswordFile = data + "/relay-password"
        #expect(fm.createFile(atPath: data + "/relay-password", contents: Data("p".utf8), attributes: [.posixPermissions: 0o640]))
        #expect(FileModes.check(config).contains(FileModes.Finding(path: data + "/relay-password", mode: 0o640)))
    }
}
