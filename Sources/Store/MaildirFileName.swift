import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Unique Maildir file names: `<seconds>.M<microseconds>P<pid>Q<counter>.<node>`, then
/// `,S=<size>` (Dovecot's size field) and, for messages delivered with flags, `:2,<letters>`.
/// Time, process, a per-process counter and the node id keep names unique across the cluster;
/// the file is created with `O_EXCL`, so a clash is caught rather than overwritten.
struct MaildirFileNamer: Sendable {
    /// The node id with `/`, `:`, `,`, `\` and anything not plainly printable escaped as `\ooo`
    /// (the Maildir convention for host names).
    let node: String

    private static let counter = NIOLockedValueBox<UInt64>(0)

    init(nodeID: String) {
        var out = ""
        for byte in (nodeID.isEmpty ? "node" : nodeID).utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        node = out
    }

    /// A fresh base name (without size or info).
    func next() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let n = Self.counter.withLockedValue { value in
            value &+= 1
            return value
        }
        return "\(now.tv_sec).M\(now.tv_nsec / 1000)P\(getpid())Q\(n).\(node)"
    }

    /// The final name once the size is known; `info` is the `:2,` flag letters, if any.
    static func final(base: String, size: Int64, info: String?) -> String {
        base + ",S=\(size)" + (info.map { ":2," + $0 } ?? "")
    }
}
