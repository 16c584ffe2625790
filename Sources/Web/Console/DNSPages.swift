import Admin
import Hummingbird

/// `/admin/dns` (superadmin; domain admins in their domains): the DNS records a domain needs
/// (`AdminConsole.dnsRecords`, what `posta dns records` prints) as a table and as a zone-file
/// fragment to copy, and `/admin/dns/zone` downloads that fragment as `text/plain`.
extension ConsolePages {
    func dnsRecords(_ call: ConsoleCall) async throws -> Response {
        let domains = try await console.dnsRecordDomains(as: call.principal)
        // A superadmin may also ask for a domain not added yet (its records can be published first).
        guard let domain = call.query.text("domain") ?? domains.first else {
            let data: [String: Any] = ["noDomains": true, "domains": [[String: Any]](), "domain": ""]
            return page(call, "dns", title: "DNS records", section: "dns", data)
        }
        let set = try await console.dnsRecords(as: call.principal, domain: domain)
        let rows: [[String: Any]] = set.records.map { record in
            [
                "name": record.name, "type": record.type, "value": record.presentation, "comment": record.comment ?? "",
            ]
        }
        var picker = domains.map { ["name": $0, "selected": $0 == set.domain] as [String: Any] }
        if !domains.contains(set.domain) { picker.insert(["name": set.domain, "selected": true], at: 0) }
        let data: [String: Any] = [
            "domain": set.domain, "hostname": set.hostname, "domains": picker, "records": rows,
            "noDKIM": !set.hasDKIMKey, "zoneFile": set.zoneFile, "zoneLink": Self.zoneLink(set.domain),
        ]
        return page(call, "dns", title: "DNS records", section: "dns", data)
    }

    /// The zone-file fragment of `?domain=` as a `text/plain` download named `<domain>.zone`.
    func dnsZoneFile(_ call: ConsoleCall) async throws -> Response {
        guard let domain = call.query.text("domain") else { throw AdminError.invalid("Choose a domain.") }
        let set = try await console.dnsRecords(as: call.principal, domain: domain)
        var response = Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: .init(string: set.zoneFile)))
        // The normalised name holds only letters, digits, '-', '.' and non-ASCII letters: no quote.
        response.headers[.contentDisposition] = "attachment; filename=\"\(set.domain).zone\""
        return response
    }

    static func zoneLink(_ domain: String) -> String { "/admin/dns/zone?domain=" + FormData.encode(domain) }
}
