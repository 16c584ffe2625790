/// A POP3 command (RFC 1939 §§4-7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4).
public enum POP3Command: Sendable, Hashable {
    case user(String)
    case pass(String)
    /// `AUTH` without a mechanism lists mechanisms (pre-RFC 5034 clients); `initialResponse`
    /// is the RFC 5034 §4 initial client response (`=` for an empty one).
    case auth(mechanism: String?, initialResponse: String?)
    case capa
    case stls
    case quit
    case stat
    case list(Int?)
    case retr(Int)
    case dele(Int)
    case noop
    case rset
    case top(Int, lines: Int)
    case uidl(Int?)
    case apop
    case unknown(String)
}

/// Why a line is not a valid command.
public enum POP3SyntaxError: Error, Sendable, Hashable {
    case invalidArguments(String)
}

public enum POP3CommandParser {
    /// Parses one command line (without CRLF). Keywords are case-insensitive (RFC 1939 §3);
    /// arguments are separated by single spaces. Numbers are plain decimal, at most 9 digits.
    public static func parse(_ line: String) throws(POP3SyntaxError) -> POP3Command {
        let keywordEnd = line.firstIndex(of: " ") ?? line.endIndex
        let keyword = line[..<keywordEnd].uppercased()
        let rest = keywordEnd == line.endIndex ? "" : String(line[line.index(after: keywordEnd)...])
        let args = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch keyword {
        case "USER":
            guard args.count == 1 else { throw .invalidArguments("USER needs one argument") }
            return .user(args[0])
        case "PASS":
            // RFC 1939 §7: the single argument may contain spaces.
            guard !rest.isEmpty else { throw .invalidArguments("PASS needs an argument") }
            return .pass(rest)
        case "AUTH":
            guard args.count <= 2 else { throw .invalidArguments("AUTH takes a mechanism and an optional initial response") }
            return .auth(mechanism: args.first?.uppercased(), initialResponse: args.count == 2 ? args[1] : nil)
        case "CAPA":
            try none(args)
            return .capa
        case "STLS":
            try none(args)
            return .stls
        case "QUIT":
            try none(args)
            return .quit
        case "STAT":
            try none(args)
            return .stat
        case "NOOP":
            try none(args)
            return .noop
        case "RSET":
            try none(args)
            return .rset
        case "LIST", "UIDL":
            guard args.count <= 1 else { throw .invalidArguments("\(keyword) takes at most one message number") }
            let number = try args.first.map { arg throws(POP3SyntaxError) in try Self.number(arg, positive: true) }
            return keyword == "LIST" ? .list(number) : .uidl(number)
        case "RETR", "DELE":
            guard args.count == 1 else { throw .invalidArguments("\(keyword) needs a message number") }
            let number = try Self.number(args[0], positive: true)
            return keyword == "RETR" ? .retr(number) : .dele(number)
        case "TOP":
            guard args.count == 2 else { throw .invalidArguments("TOP needs a message number and a line count") }
            return .top(try number(args[0], positive: true), lines: try number(args[1], positive: false))
        case "APOP": return .apop
        default: return .unknown(keyword)
        }
    }

    private static func none(_ args: [String]) throws(POP3SyntaxError) {
        guard args.isEmpty else { throw .invalidArguments("no arguments expected") }
    }

    private static func number(_ text: String, positive: Bool) throws(POP3SyntaxError) -> Int {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(text) else {
            throw .invalidArguments("invalid number \(text.prefix(20))")
        }
        guard !positive || value > 0 else { throw .invalidArguments("message numbers start at 1") }
        return value
    }
}
