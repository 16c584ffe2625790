import Testing

@testable import SMTP

/// Refusals are counted per IPv4 address and per IPv6 /64, so a client cycling the addresses of
/// its /64 adds one key, not one per connection.
@Suite struct RefusedClientKeyTests {
    @Test func ipv6ByPrefixIPv4ByAddress() {
        #expect(SMTPReceiver.clientKey("192.0.2.9") == "192.0.2.9")
        let a = SMTPReceiver.clientKey("2001:db8:1:2:aaaa::1")
        let b = SMTPReceiver.clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff")
        #expect(a == b)
        #expect(a.hasSuffix("/64"))
        #expect(SMTPReceiver.clientKey("2001:db8:1:3::1") != a)
        #expect(SMTPReceiver.clientKey("not an address") == "not an address")
    }
}
