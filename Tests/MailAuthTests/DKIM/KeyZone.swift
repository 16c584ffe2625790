import DNS
import MailAuth

/// DKIM key records in memory, as `DKIMDNS`: each name holds its TXT texts; names in `failing`
/// behave like a server that does not answer; every lookup is counted.
struct KeyZone: DKIMDNS {
    struct Timeout: Error, CustomStringConvertible {
        var description: String { "timeout" }
    }

    actor Counter {
        private(set) var names: [String] = []
        func record(_ name: String) { names.append(name) }
    }

    var records: [String: [String]]
    var failing: Set<String> = []
    let lookups = Counter()

    init(_ records: [String: [String]] = [:], failing: Set<String> = []) {
        self.records = Dictionary(records.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: +)
        self.failing = failing
    }

    init(_ records: [String: String]) {
        self.init(records.mapValues { [$0] })
    }

    func txt(_ name: String) async throws -> DNSResult<[String]> {
        await lookups.record(name)
        if failing.contains(name.lowercased()) { throw Timeout() }
        guard let texts = records[name.lowercased()] else { return .nxDomain }
        return texts.isEmpty ? .noData : .found(texts)
    }
}
