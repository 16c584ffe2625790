import Core
import Testing

@Suite("Client keys (per-client limits)")
struct ClientKeyTests {
    @Test func addressFamilies() {
        #expect(ClientKey(address: "192.0.2.1").description == "192.0.2.1")
        #expect(ClientKey(address: "2001:db8:1:2:3:4:5:6").description == "2001:db8:1:2::/64")
        #expect(ClientKey(address: "2001:DB8:1:2::7") == ClientKey(address: "2001:db8:1:2:ffff::"))
        #expect(ClientKey(address: "2001:db8:1:2::7") != ClientKey(address: "2001:db8:1:3::7"))
        #expect(ClientKey(address: "::ffff:192.0.2.1") == ClientKey(address: "192.0.2.1"))
        #expect(ClientKey(address: "2001:db8:1:2:3::1", ipv6PrefixLength: 48).description == "2001:db8:1::/48")
        #expect(ClientKey(address: "2001:db8::1", ipv6PrefixLength: 128).description == "2001:db8::1")
        #expect(ClientKey(address: "2001:db8:1:2ff::1", ipv6PrefixLength: 56).description == "2001:db8:1:200::/56")
        #expect(ClientKey(address: "2001:db8:1:2ff::1", ipv6PrefixLength: 60).description == "2001:db8:1:2f0::/60")
        #expect(ClientKey(address: "::1").description == "::/64")
        #expect(ClientKey(address: "unknown").description == "unknown")
    }
}
