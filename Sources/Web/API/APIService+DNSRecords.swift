import Admin

extension APIService {
    /// `GET /domains/{name}/dns-records`: `AdminConsole.dnsRecords`, what `posta dns records` prints.
    func getDomainDNSRecords(_ input: Operations.GetDomainDNSRecords.Input) async throws
        -> Operations.GetDomainDNSRecords.Output
    {
        let set = try await console.dnsRecords(as: principal(), domain: input.path.name)
        return .ok(.init(body: .json(.init(set))))
    }
}

extension Components.Schemas.DNSRecordSet {
    init(_ set: DomainDNSRecordSet) {
        self.init(
            domain: set.domain, hostname: set.hostname,
            records: set.records.map {
                .init(name: $0.name, _type: $0.type, data: $0.presentation, text: $0.text, comment: $0.comment)
            },
            zoneFile: set.zoneFile)
    }
}
