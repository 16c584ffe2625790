import Foundation
import X509

/// `posta check certificate`: days until the TLS certificate expires, read from the `[tls] cert`
/// file or from what a server presents (swift-certificates parses it).
public enum CertificateCheck {
    /// Warn with fewer than 30 days left, critical with fewer than 7.
    public static let defaultThresholds = Thresholds(
        warning: ThresholdRange(start: 30, end: nil), critical: ThresholdRange(start: 7, end: nil))

    /// `-w`/`-c` for this check: a bare whole number N means "fewer than N days" (`N:`), as
    /// check_http's `-C` counts days; any other text is a range in the standard syntax.
    public static func daysRange(_ text: String) throws(ThresholdRange.SyntaxError) -> ThresholdRange {
        if !text.isEmpty, text.utf8.count <= 6, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return ThresholdRange(start: Double(text)!, end: nil)
        }
        return try ThresholdRange(parsing: text)
    }

    /// The first certificate of a PEM file (the leaf, `[tls] cert` holds the chain leaf first).
    public static func leaf(pemFile path: String) throws(CheckError) -> Certificate {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= 1 << 20 else { throw CheckError("\(path) is larger than 1 MiB") }
            text = String(decoding: data, as: UTF8.self)
        } catch let error as CheckError {
            throw error
        } catch {
            throw CheckError("cannot read \(path): \((error as NSError).localizedDescription)")
        }
        let marker = "-----END CERTIFICATE-----"
        guard let end = text.range(of: marker) else { throw CheckError("no certificate in \(path)") }
        do {
            return try Certificate(pemEncoded: String(text[..<end.upperBound]))
        } catch {
            throw CheckError("\(path): not a valid certificate (\(error))")
        }
    }

    /// A DER certificate as a server presented it.
    public static func certificate(der: [UInt8]) throws(CheckError) -> Certificate {
        do {
            return try Certificate(derEncoded: der)
        } catch {
            throw CheckError("the server's certificate does not parse: \(error)")
        }
    }

    /// Whole days left (rounded down, negative once expired) and the verdict; CRITICAL whatever
    /// the thresholds once expired or not yet valid (RFC 5280 §4.1.2.5).
    public static func result(
        _ certificate: Certificate, source: String, now: Date = Date(), thresholds: Thresholds = defaultThresholds
    ) -> PluginResult {
        let seconds = certificate.notValidAfter.timeIntervalSince(now)
        let days = (seconds / 86_400).rounded(.down)
        let expiry = ISO8601DateFormatter().string(from: certificate.notValidAfter)
        let subject = certificate.subject.description
        var status = thresholds.status(of: days)
        let text: String
        if seconds < 0 {
            status = .critical
            text = "\(source): certificate \(subject) expired on \(expiry)"
        } else if certificate.notValidBefore > now {
            status = .critical
            text =
                "\(source): certificate \(subject) is not valid before \(ISO8601DateFormatter().string(from: certificate.notValidBefore))"
        } else {
            text = "\(source): certificate \(subject) expires in \(Int(days)) days (\(expiry))"
        }
        return PluginResult(
            service: "CERTIFICATE", status: status, text: text,
            perfdata: [Perfdata("days", days, thresholds: thresholds)])
    }
}
