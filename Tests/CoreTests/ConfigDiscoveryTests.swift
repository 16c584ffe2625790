import Core
import Foundation
import PostaTestSupport
import Testing

@Suite struct ConfigDiscoveryTests {
    let cwd = "/home/me/site"
    let dev = "/home/me/site/posta-data/posta.toml"
    let system = "/etc/posta/posta.toml"

    func locate(explicit: String?, env: [String: String] = [:], existing: Set<String>) -> String? {
        ConfigDiscovery.locate(explicit: explicit, environment: env, currentDirectory: cwd) { existing.contains($0) }
    }

    @Test func explicitWinsEvenWhenMissing() {
        #expect(
            locate(explicit: "/srv/p.toml", env: ["POSTA_CONFIG": "/env/p.toml"], existing: [dev, system, "/env/p.toml"])
                == "/srv/p.toml")
        #expect(locate(explicit: "conf/p.toml", existing: []) == "/home/me/site/conf/p.toml")
    }

    @Test func environmentComesNextEvenWhenMissing() {
        #expect(locate(explicit: nil, env: ["POSTA_CONFIG": "/env/p.toml"], existing: [dev, system]) == "/env/p.toml")
        #expect(locate(explicit: "", env: ["POSTA_CONFIG": "/env/p.toml"], existing: []) == "/env/p.toml")
    }

    @Test func thenDevelopmentThenSystem() {
        #expect(locate(explicit: nil, env: ["POSTA_CONFIG": ""], existing: [dev, system]) == dev)
        #expect(locate(explicit: nil, existing: [system]) == system)
        #expect(locate(explicit: nil, existing: []) == nil)
    }

    @Test func loadReadsAFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "posta-config-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("posta.toml").path
        try PostaConfig.developmentTemplate().write(toFile: file, atomically: true, encoding: .utf8)
        let config = try PostaConfig.load(path: file, sections: [])
        #expect(config.dataDirectory == folder.standardizedFileURL.path)
        #expect(config.listeners.count == 11)

        try "hostname = 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigErrors.self) { try PostaConfig.load(path: file, sections: []) }
    }
}
