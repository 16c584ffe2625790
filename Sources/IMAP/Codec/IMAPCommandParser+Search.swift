/// SEARCH (RFC 9051 §6.4.4, RFC 4731 §3.1, RFC 5182 §2, RFC 7162 §3.1.5).
extension IMAPByteReader {
    /// `SEARCH [SP RETURN SP "(" opts ")"] SP [CHARSET SP charset SP] search-key *(SP search-key)`.
    mutating func search(uid: Bool) throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        var command = IMAPSearchCommand(key: .all)
        if skipKeyword("RETURN") {
            try space()
            command.returnOptions = try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in
                guard let option = IMAPSearchReturnOption(rawValue: try reader.keyword("a RETURN option")) else {
                    throw IMAPParseError("unknown RETURN option")
                }
                return option
            }
            try space()
        }
        if skipKeyword("CHARSET") {
            try space()
            command.charset = Self.upper(try astring())
            try space()
        }
        var keys = [try searchKey()]
        while skip(UInt8(ascii: " ")) { keys.append(try searchKey()) }
        try end()
        command.key = keys.count == 1 ? keys[0] : .and(keys)
        return .search(command, uid: uid)
    }

    /// One `search-key`, recursing for NOT, OR and parentheses within the depth limit.
    mutating func searchKey() throws(IMAPParseError) -> IMAPSearchKey {
        switch peek() ?? 0 {
        case UInt8(ascii: "("):
            let keys = try parenthesized { reader throws(IMAPParseError) in try reader.searchKey() }
            return keys.count == 1 ? keys[0] : .and(keys)
        case UInt8(ascii: "*"), UInt8(ascii: "$"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .sequenceSet(try sequenceSet())
        default:
            break
        }
        let name = try keyword("a search key")
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "NEW": return .new
        case "OLD": return .old
        case "RECENT": return .recent
        case "SEEN": return .seen
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        default: break
        }
        try space()
        switch name {
        case "KEYWORD": return .keyword(try flag())
        case "UNKEYWORD": return .unkeyword(try flag())
        case "BCC": return .bcc(try astring())
        case "BODY": return .body(try astring())
        case "CC": return .cc(try astring())
        case "FROM": return .from(try astring())
        case "SUBJECT": return .subject(try astring())
        case "TEXT": return .text(try astring())
        case "TO": return .to(try astring())
        case "HEADER":
            let field = String(decoding: try astring(), as: UTF8.self)
            try space()
            return .header(field, try astring())
        case "BEFORE": return .before(try date())
        case "ON": return .on(try date())
        case "SINCE": return .since(try date())
        case "SENTBEFORE": return .sentBefore(try date())
        case "SENTON": return .sentOn(try date())
        case "SENTSINCE": return .sentSince(try date())
        case "LARGER": return .larger(try number64())
        case "SMALLER": return .smaller(try number64())
        case "UID": return .uid(try sequenceSet())
        case "MODSEQ": return .modSeq(try searchModSeq())
        case "NOT": return .not(try nested { reader throws(IMAPParseError) in try reader.searchKey() })
        case "OR":
            return try nested { reader throws(IMAPParseError) in
                let first = try reader.searchKey()
                try reader.space()
                return .or(first, try reader.searchKey())
            }
        default: throw IMAPParseError("unknown search key")
        }
    }

    /// `MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer` (RFC 7162 §3.1.5).
    private mutating func searchModSeq() throws(IMAPParseError) -> IMAPSearchModSeq {
        guard peek() == UInt8(ascii: "\"") else { return IMAPSearchModSeq(modSeq: try number64()) }
        let name = try quoted()
        let prefix = Array("/flags/".utf8)
        guard name.count > prefix.count, Self.upper(name[..<prefix.count]) == "/FLAGS/" else {
            throw IMAPParseError("invalid MODSEQ entry name")
        }
        var flagReader = IMAPByteReader(Array(name[prefix.count...]), utf8: false, maxDepth: 0)
        let flag = try flagReader.flag()
        try flagReader.end()
        try space()
        guard let type = IMAPSearchModSeq.EntryType(rawValue: Self.upper(try atom()).lowercased()) else {
            throw IMAPParseError("invalid MODSEQ entry type")
        }
        try space()
        return IMAPSearchModSeq(modSeq: try number64(), entryFlag: flag, entryType: type)
    }
}
