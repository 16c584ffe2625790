import NIOSSL

extension TLSConfiguration {
    /// A client configuration that verifies the server: its chain must lead to a trust anchor of
    /// `caFile` (PEM; the system's store when nil) and its certificate must name the host given
    /// to the handshake (RFC 6125; an IP address when there is no name). Loading `caFile` fails
    /// when the context is made.
    public static func verifiedClient(caFile: String?) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile { configuration.trustRoots = .file(caFile) }
        return configuration
    }
}
