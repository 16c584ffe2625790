import Core
import Foundation
import SwiftASN1
@_spi(CMS) import X509

/// Signs configuration profiles with the site's TLS certificate, so a device shows who made the
/// profile and that nobody changed it: a CMS SignedData (RFC 5652 §5) that carries the profile
/// (not detached), with the signer's chain and a signing time, as Apple devices read signed
/// `.mobileconfig` files. swift-certificates' CMS signing is SPI (`@_spi(CMS)`).
///
/// The certificate and key are read at each signing, so a renewed certificate is used at once.
public struct MobileConfigSigner: Sendable {
    /// PEM certificate chain (leaf first) and PEM private key, as `[tls]` names them.
    public let certificatePath: String
    public let keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// The signer of the site's `[tls]` certificate; nil without one.
    public init?(_ settings: TLSSettings?) {
        guard let settings else { return nil }
        self.init(certificatePath: settings.certificatePath, keyPath: settings.keyPath)
    }

    /// `profile` inside a DER-encoded SignedData signed at `date`.
    public func sign(_ profile: [UInt8], at date: Date) throws -> [UInt8] {
        let chain = try Self.certificates(pem: try String(contentsOfFile: certificatePath, encoding: .utf8))
        guard let leaf = chain.first else { throw SigningError("no certificate in \(certificatePath)") }
        let key = try Certificate.PrivateKey(pemEncoded: try String(contentsOfFile: keyPath, encoding: .utf8))
        guard key.publicKey == leaf.publicKey else { throw SigningError("\(keyPath) is not the key of \(certificatePath)") }
        return try CMS.sign(
            profile, additionalIntermediateCertificates: Array(chain.dropFirst()), certificate: leaf, privateKey: key,
            signingTime: date, detached: false)
    }

    /// Every `CERTIFICATE` block of a PEM file, in order.
    static func certificates(pem: String) throws -> [Certificate] {
        try PEMDocument.parseMultiple(pemString: pem).filter { $0.discriminator == "CERTIFICATE" }
            .map { try Certificate(derEncoded: $0.derBytes) }
    }

    /// Why a profile could not be signed (the console then serves it unsigned).
    public struct SigningError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
