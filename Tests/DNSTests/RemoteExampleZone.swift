import PostaTestSupport

/// The zone the live resolver tests ask about, served by a real dnsmasq.
enum RemoteExampleZone {
    static let records = [
        "local=/remote.example/",
        "mx-host=remote.example,mx.remote.example,10",
        "mx-host=remote.example,mx2.remote.example,20",
        "host-record=mx.remote.example,127.0.0.2",
        #"txt-record=remote.example,"v=spf1 ip4:127.0.0.0/8 -all""#,
        "ptr-record=2.0.0.127.in-addr.arpa,mx.remote.example",
        "cname=alias.remote.example,mx.remote.example",
    ]
}

/// Runs `body` with a fresh dnsmasq serving `RemoteExampleZone` and stops it afterwards, whatever happens.
func withDnsmasq(_ body: (Dnsmasq) async throws -> Void) async throws {
    let server = try await Dnsmasq.start(records: RemoteExampleZone.records, probe: "mx.remote.example")
    defer { server.stop() }
    try await body(server)
}
