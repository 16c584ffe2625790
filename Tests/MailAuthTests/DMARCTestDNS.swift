import DNS
import Foundation
import MailAuth

extension ZoneDNS: DMARCDNS {}

/// A zone that remembers every name asked, to check how many queries DMARC makes and which.
final class LoggingDNS: DMARCDNS, @unchecked Sendable {
    private let zone: ZoneDNS
    private let lock = NSLock()
    private var asked: [String] = []

    init(_ zone: [String: [ZoneDNS.Entry]]) {
        self.zone = ZoneDNS(zone)
    }

    var queries: [String] { lock.withLock { asked } }

    func txt(_ name: String) async throws -> DNSResult<[String]> {
        lock.withLock { asked.append(name) }
        return try await zone.txt(name)
    }
}

/// Builders for DMARC test messages.
enum Mail {
    static func message(
        from: String..., spf: (String, SPFResult)? = nil, dkim: [(String, DMARCDKIMResult)] = [], arcTrusted: Bool = false
    ) -> DMARCMessage {
        DMARCMessage(
            fromDomains: from, spf: spf.map { DMARCSPFInput(domain: $0.0, result: $0.1) },
            dkim: dkim.map { DMARCDKIMInput(domain: $0.0, selector: "s1", result: $0.1) }, arcTrusted: arcTrusted)
    }
}
