import Core
import Testing

@Suite struct ClientKeyTests {
    @Test func ipv4IsTheAddress() {
        #expect(ClientKey(address: "192.0.2.7").description == "192.0.2.7")
        #expect(ClientKey(address: "192.0.2.7") != ClientKey(address: "192.0.2.8"))
    }

    @Test func ipv6IsItsSlash64() {
        let a = ClientKey(address: "2001:db8:1:2:aaaa::1")
        #expect(a.description == "2001:db8:1:2::/64")
        // Any address in the same /64 is the same client: a host cannot escape per-client limits by
        // picking new addresses from its own prefix.
        #expect(a == ClientKey(address: "2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(a != ClientKey(address: "2001:db8:1:3::1"))
    }

    @Test func prefixLengthIsConfigurable() {
        #expect(ClientKey(address: "2001:db8:1:2::1", ipv6PrefixLength: 48).description == "2001:db8:1::/48")
        #expect(
            ClientKey(address: "2001:db8:1:2::1", ipv6PrefixLength: 56)
                != ClientKey(address: "2001:db8:1:100::9", ipv6PrefixLength: 56))
        #expect(ClientKey(address: "2001:db8:1:2::1", ipv6PrefixLength: 128).description == "2001:db8:1:2::1")
        #expect(
            ClientKey(address: "2001:db8:1:2::1", ipv6PrefixLength: 60)
                == ClientKey(address: "2001:db8:1:f::1", ipv6PrefixLength: 60))
    }

    @Test func ipv4MappedIsTheIPv4Address() {
        // RFC 4291 §2.5.5.2: a dual-stack socket reports IPv4 clients this way.
        #expect(ClientKey(address: "::ffff:192.0.2.7") == ClientKey(address: "192.0.2.7"))
        #expect(ClientKey(address: "::ffff:192.0.2.7").description == "192.0.2.7")
    }

    @Test func otherTextIsKeptAsIs() {
        #expect(ClientKey(address: "unknown").description == "unknown")
        #expect(ClientKey(address: "::1").description == "::/64")
    }
}
