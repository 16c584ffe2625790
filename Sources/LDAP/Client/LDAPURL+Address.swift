import NIOCore

extension LDAPURL {
    /// Whether the host is an IP address literal (checked against the certificate's IP entries
    /// rather than sent as SNI).
    var isIPAddress: Bool { (try? SocketAddress(ipAddress: host, port: 0)) != nil }
}

extension LDAPURL {
    /// Whether the host is this machine (`localhost`, 127.0.0.0/8, `::1`): traffic to it does not
    /// cross a network.
    public var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "[::1]" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
