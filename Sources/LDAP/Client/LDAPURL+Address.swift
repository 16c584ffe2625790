import NIOCore

extension LDAPURL {
    /// Whether the host is an IP address literal (checked against the certificate's IP entries
    /// rather than sent as SNI).
    var isIPAddress: Bool { (try? SocketAddress(ipAddress: host, port: 0)) != nil }
}
