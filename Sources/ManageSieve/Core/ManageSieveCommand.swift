/// A ManageSieve command (RFC 5804 §2). Script names and SASL data are raw octets as sent; script
/// names and scripts must be UTF-8, which the session checks.
public enum ManageSieveCommand: Sendable, Hashable {
    /// §2.1: mechanism and optional initial response (base64).
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    /// §2.2.
    case startTLS
    /// §2.3.
    case logout
    /// §2.4.
    case capability
    /// §2.5.
    case haveSpace(name: [UInt8], size: UInt32)
    /// §2.6.
    case putScript(name: [UInt8], script: [UInt8])
    /// §2.7.
    case listScripts
    /// §2.8: the empty name deactivates every script.
    case setActive(name: [UInt8])
    /// §2.9.
    case getScript(name: [UInt8])
    /// §2.10.
    case deleteScript(name: [UInt8])
    /// §2.11.
    case renameScript(from: [UInt8], to: [UInt8])
    /// §2.12.
    case checkScript(script: [UInt8])
    /// §2.13: the optional tag is echoed in `(TAG ...)`.
    case noop(tag: [UInt8]?)
    /// §2.14.
    case unauthenticate
    /// A name this server does not know.
    case unknown(String)
}

public enum ManageSieveCommandParser {
    /// Parses one frame from `ManageSieveFramer`. Command names are case-insensitive (RFC 5804 §4:
    /// ABNF strings).
    public static func parse(_ frame: [UInt8]) throws(ManageSieveSyntaxError) -> ManageSieveCommand {
        var reader = ManageSieveReader(frame)
        let name = try reader.atom().uppercased()
        var args: [ManageSieveValue] = []
        while let value = try reader.nextArgument() {
            args.append(value)
            guard args.count <= 3 else { throw .init("too many arguments") }
        }
        func strings(_ count: ClosedRange<Int>) throws(ManageSieveSyntaxError) -> [[UInt8]] {
            guard count.contains(args.count) else {
                throw .init(count.upperBound == 0 ? "\(name) takes no arguments" : "wrong number of arguments for \(name)")
            }
            var out: [[UInt8]] = []
            for arg in args {
                guard case .string(let bytes) = arg else { throw .init("\(name) expects string arguments") }
                out.append(bytes)
            }
            return out
        }
        switch name {
        case "AUTHENTICATE":
            let values = try strings(1...2)
            return .authenticate(
                mechanism: String(decoding: values[0], as: UTF8.self).uppercased(),
                initialResponse: values.count == 2 ? values[1] : nil)
        case "STARTTLS":
            _ = try strings(0...0)
            return .startTLS
        case "LOGOUT":
            _ = try strings(0...0)
            return .logout
        case "CAPABILITY":
            _ = try strings(0...0)
            return .capability
        case "HAVESPACE":
            guard args.count == 2, case .string(let script) = args[0], case .number(let size) = args[1] else {
                throw .init("HAVESPACE expects a script name and a size")
            }
            return .haveSpace(name: script, size: size)
        case "PUTSCRIPT":
            let values = try strings(2...2)
            return .putScript(name: values[0], script: values[1])
        case "LISTSCRIPTS":
            _ = try strings(0...0)
            return .listScripts
        case "SETACTIVE":
            return .setActive(name: try strings(1...1)[0])
        case "GETSCRIPT":
            return .getScript(name: try strings(1...1)[0])
        case "DELETESCRIPT":
            return .deleteScript(name: try strings(1...1)[0])
        case "RENAMESCRIPT":
            let values = try strings(2...2)
            return .renameScript(from: values[0], to: values[1])
        case "CHECKSCRIPT":
            return .checkScript(script: try strings(1...1)[0])
        case "NOOP":
            return .noop(tag: try strings(0...1).first)
        case "UNAUTHENTICATE":
            _ = try strings(0...0)
            return .unauthenticate
        default:
            return .unknown(String(name.prefix(32)))
        }
    }

    /// RFC 5804 §2.1: a client response during AUTHENTICATE is one string; `"*"` (or a bare `*`)
    /// cancels. Nil for the cancellation.
    public static func parseSASLResponse(_ frame: [UInt8]) throws(ManageSieveSyntaxError) -> [UInt8]? {
        if frame == [UInt8(ascii: "*")] { return nil }
        var reader = ManageSieveReader(frame)
        guard case .string(let bytes) = try reader.value() else { throw .init("expected a string") }
        _ = reader.skipSpaces()
        guard reader.atEnd else { throw .init("expected one string") }
        return bytes == [UInt8(ascii: "*")] ? nil : bytes
    }
}
