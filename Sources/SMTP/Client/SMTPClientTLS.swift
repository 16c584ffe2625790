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

    /// A client configuration for DANE (RFC 7672 §3): the chain is judged by a custom
    /// verification callback (`SMTPClientConnection.CertificateCheck`); NIOSSL's own trust
    /// anchors and host name check do not apply. `.noHostnameVerification` rather than `.none`,
    /// since NIOSSL never calls the callback with `.none`.
    public static func daneClient() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .noHostnameVerification
        return configuration
    }
}
