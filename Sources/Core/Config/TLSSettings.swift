/// `[tls]`: the certificate every TLS listener presents.
public struct TLSSettings: Sendable, Equatable {
    /// `cert`: PEM certificate chain (leaf first), absolute (relative values are resolved against `data_dir`).
    public var certificatePath: String
    /// `key`: PEM private key, absolute (relative values are resolved against `data_dir`).
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
