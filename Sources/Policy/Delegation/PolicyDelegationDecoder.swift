/// Splits the Postfix policy delegation protocol (SMTPD_POLICY_README) into requests: lines of
/// `name=value`, ended by an empty line. Incremental (bytes may arrive split anywhere) and
/// bounded: a line longer than `maxLineLength` or more than `maxAttributes` attributes in one
/// request is an error, after which the connection should be closed.
public struct PolicyDelegationDecoder: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case lineTooLong
        case tooManyAttributes
        case malformedLine

        public var description: String {
            switch self {
            case .lineTooLong: "attribute line too long"
            case .tooManyAttributes: "too many attributes in one request"
            case .malformedLine: "attribute line without '='"
            }
        }
    }

    public let maxLineLength: Int
    public let maxAttributes: Int
    private var line: [UInt8] = []
    private var attributes: [String: String] = [:]
    private var count = 0

    public init(maxLineLength: Int = 4096, maxAttributes: Int = 128) {
        self.maxLineLength = maxLineLength
        self.maxAttributes = maxAttributes
    }

    /// Feeds bytes; returns the requests completed by them, in order. Throws on a broken limit.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(Failure) -> [[String: String]] {
        var requests: [[String: String]] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                guard line.count < maxLineLength else { throw .lineTooLong }
                line.append(byte)
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            defer { line.removeAll(keepingCapacity: true) }
            if line.isEmpty {
                requests.append(attributes)
                attributes = [:]
                count = 0
                continue
            }
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { throw .malformedLine }
            count += 1
            guard count <= maxAttributes else { throw .tooManyAttributes }
            let name = String(decoding: line[..<equals], as: UTF8.self)
            attributes[name] = String(decoding: line[(equals + 1)...], as: UTF8.self)
        }
        return requests
    }
}
