/// A response code, `[CODE ...]` in a status response (RFC 9051 §7.1, RFC 5530, and the extensions).
public enum IMAPResponseCode: Sendable, Hashable {
    case alert
    case badCharset([String])
    case capability([String])
    case parse
    case permanentFlags([IMAPFlag])
    case readOnly
    case readWrite
    case tryCreate
    case uidNext(UInt32)
    case uidValidity(UInt32)
    case unseen(UInt32)
    /// RFC 4315 §3; several UIDs for MULTIAPPEND.
    case appendUID(uidValidity: UInt32, uids: IMAPSequenceSet)
    /// RFC 4315 §3.
    case copyUID(uidValidity: UInt32, source: IMAPSequenceSet, destination: IMAPSequenceSet)
    case uidNotSticky
    /// RFC 7162 §3.1.
    case highestModSeq(UInt64)
    case noModSeq
    case modified(IMAPSequenceSet)
    /// RFC 7162 §3.2.11.
    case closed
    case nonexistent
    case alreadyExists
    case authenticationFailed
    case unavailable
    case authorizationFailed
    case expired
    case privacyRequired
    case contactAdmin
    case noPerm
    case inUse
    case expungeIssued
    case corruption
    case serverBug
    case clientBug
    case cannot
    case limit
    case overQuota
    case hasChildren
    /// RFC 9051 §7.1 (also RFC 7888 §4 for refused literals).
    case tooBig
    /// RFC 3516 §4.3.
    case unknownCTE
    case notSaved
    /// RFC 6154 §6.
    case useAttr
    /// Any other code: an atom and optional text.
    case other(String, String?)

    /// The code's text between the brackets.
    func write(into out: inout [UInt8]) {
        switch self {
        case .alert: IMAPWriter.write("ALERT", into: &out)
        case .badCharset(let charsets):
            IMAPWriter.write("BADCHARSET", into: &out)
            if !charsets.isEmpty {
                out.append(UInt8(ascii: " "))
                out.append(UInt8(ascii: "("))
                for (index, charset) in charsets.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: " ")) }
                    IMAPWriter.writeAString(Array(charset.utf8), utf8: false, into: &out)
                }
                out.append(UInt8(ascii: ")"))
            }
        case .capability(let capabilities):
            IMAPWriter.write("CAPABILITY", into: &out)
            for capability in capabilities {
                out.append(UInt8(ascii: " "))
                IMAPWriter.write(capability, into: &out)
            }
        case .parse: IMAPWriter.write("PARSE", into: &out)
        case .permanentFlags(let flags):
            IMAPWriter.write("PERMANENTFLAGS ", into: &out)
            IMAPWriter.writeFlags(flags, into: &out)
        case .readOnly: IMAPWriter.write("READ-ONLY", into: &out)
        case .readWrite: IMAPWriter.write("READ-WRITE", into: &out)
        case .tryCreate: IMAPWriter.write("TRYCREATE", into: &out)
        case .uidNext(let value): Self.numbered("UIDNEXT", value, into: &out)
        case .uidValidity(let value): Self.numbered("UIDVALIDITY", value, into: &out)
        case .unseen(let value): Self.numbered("UNSEEN", value, into: &out)
        case .appendUID(let uidValidity, let uids):
            Self.numbered("APPENDUID", uidValidity, into: &out)
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeSequenceSet(uids, into: &out)
        case .copyUID(let uidValidity, let source, let destination):
            Self.numbered("COPYUID", uidValidity, into: &out)
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeSequenceSet(source, into: &out)
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeSequenceSet(destination, into: &out)
        case .uidNotSticky: IMAPWriter.write("UIDNOTSTICKY", into: &out)
        case .highestModSeq(let value): Self.numbered("HIGHESTMODSEQ", value, into: &out)
        case .noModSeq: IMAPWriter.write("NOMODSEQ", into: &out)
        case .modified(let set):
            IMAPWriter.write("MODIFIED ", into: &out)
            IMAPWriter.writeSequenceSet(set, into: &out)
        case .closed: IMAPWriter.write("CLOSED", into: &out)
        case .nonexistent: IMAPWriter.write("NONEXISTENT", into: &out)
        case .alreadyExists: IMAPWriter.write("ALREADYEXISTS", into: &out)
        case .authenticationFailed: IMAPWriter.write("AUTHENTICATIONFAILED", into: &out)
        case .unavailable: IMAPWriter.write("UNAVAILABLE", into: &out)
        case .authorizationFailed: IMAPWriter.write("AUTHORIZATIONFAILED", into: &out)
        case .expired: IMAPWriter.write("EXPIRED", into: &out)
        case .privacyRequired: IMAPWriter.write("PRIVACYREQUIRED", into: &out)
        case .contactAdmin: IMAPWriter.write("CONTACTADMIN", into: &out)
        case .noPerm: IMAPWriter.write("NOPERM", into: &out)
        case .inUse: IMAPWriter.write("INUSE", into: &out)
        case .expungeIssued: IMAPWriter.write("EXPUNGEISSUED", into: &out)
        case .corruption: IMAPWriter.write("CORRUPTION", into: &out)
        case .serverBug: IMAPWriter.write("SERVERBUG", into: &out)
        case .clientBug: IMAPWriter.write("CLIENTBUG", into: &out)
        case .cannot: IMAPWriter.write("CANNOT", into: &out)
        case .limit: IMAPWriter.write("LIMIT", into: &out)
        case .overQuota: IMAPWriter.write("OVERQUOTA", into: &out)
        case .hasChildren: IMAPWriter.write("HASCHILDREN", into: &out)
        case .tooBig: IMAPWriter.write("TOOBIG", into: &out)
        case .unknownCTE: IMAPWriter.write("UNKNOWN-CTE", into: &out)
        case .notSaved: IMAPWriter.write("NOTSAVED", into: &out)
        case .useAttr: IMAPWriter.write("USEATTR", into: &out)
        case .other(let atom, let text):
            IMAPWriter.write(atom, into: &out)
            if let text {
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeText(text, into: &out, stopAt: UInt8(ascii: "]"))
            }
        }
    }

    private static func numbered(_ name: StaticString, _ value: some BinaryInteger, into out: inout [UInt8]) {
        IMAPWriter.write(name, into: &out)
        out.append(UInt8(ascii: " "))
        IMAPWriter.writeNumber(value, into: &out)
    }
}
