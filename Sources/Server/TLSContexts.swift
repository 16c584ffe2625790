import Core
import NIOSSL

/// Builds the server TLS context from the site's certificate chain and key.
public enum ServerTLS {
    /// Loads the PEM chain and key named by `settings`; errors name the file.
    public static func makeContext(_ settings: TLSSettings) throws -> NIOSSLContext {
        try NIOSSLContext(configuration: makeConfiguration(settings))
    }

    /// The server configuration: TLS 1.2 or newer, the chain and key from the site's files.
    public static func makeConfiguration(_ settings: TLSSettings) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath)
        } catch {
            throw ServerError.tls("cannot load certificate chain \(settings.certificatePath): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: settings.keyPath, format: .pem)
        } catch {
            throw ServerError.tls("cannot load private key \(settings.keyPath): \(error)")
        }
        guard !chain.isEmpty else { throw ServerError.tls("no certificate in \(settings.certificatePath)") }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // After a protocol goodbye (BYE, QUIT, 221) nothing more is read: waiting NIOSSL's default
        // 5 s for the client's close_notify would only hold connections open and slow draining.
        configuration.shutdownTimeout = .milliseconds(500)
        return configuration
    }
}

/// Start-up failures of the server, each one line for the operator.
public enum ServerError: Error, CustomStringConvertible {
    case tls(String)
    case bind(String, any Error)
    case protocolUnavailable(String)

    public var description: String {
        switch self {
        case .tls(let why): "TLS: \(why)"
        case .bind(let address, let error): "cannot listen on \(address): \(error)"
        case .protocolUnavailable(let why): why
        }
    }
}
