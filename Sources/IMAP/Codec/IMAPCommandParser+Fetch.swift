/// FETCH and STORE (RFC 9051 §6.4.5-6, RFC 3516 §4.2, RFC 7162 §3.1.3-4, §3.2.6).
extension IMAPByteReader {
    /// `FETCH SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]`.
    mutating func fetch(uid: Bool) throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let set = try sequenceSet()
        try space()
        var attributes: [IMAPFetchAttribute]
        if peek() == UInt8(ascii: "(") {
            attributes = try parenthesized { reader throws(IMAPParseError) in try reader.fetchAttribute() }
        } else if skipKeyword("ALL") {
            attributes = IMAPFetchAttribute.allMacro
        } else if skipKeyword("FAST") {
            attributes = IMAPFetchAttribute.fastMacro
        } else if skipKeyword("FULL") {
            attributes = IMAPFetchAttribute.fullMacro
        } else {
            attributes = [try fetchAttribute()]
        }
        var modifiers = IMAPFetchModifiers()
        if skip(UInt8(ascii: " ")) {
            _ = try parenthesized { reader throws(IMAPParseError) in
                switch try reader.keyword("a FETCH modifier") {
                case "CHANGEDSINCE":
                    try reader.space()
                    modifiers.changedSince = try reader.number64(nonZero: true)
                case "VANISHED": modifiers.vanished = true
                default: throw IMAPParseError("unknown FETCH modifier")
                }
            }
        }
        try end()
        if uid && !attributes.contains(.uid) { attributes.insert(.uid, at: 0) }
        return .fetch(set, attributes, modifiers, uid: uid)
    }

    /// One `fetch-att`.
    mutating func fetchAttribute() throws(IMAPParseError) -> IMAPFetchAttribute {
        let name = Self.upper(
            take(while: { IMAPCharacter.isAtomChar($0) && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "<") }))
        switch name {
        case "ENVELOPE": return .envelope
        case "FLAGS": return .flags
        case "INTERNALDATE": return .internalDate
        case "UID": return .uid
        case "RFC822": return .rfc822
        case "RFC822.HEADER": return .rfc822Header
        case "RFC822.SIZE": return .rfc822Size
        case "RFC822.TEXT": return .rfc822Text
        case "BODYSTRUCTURE": return .bodyStructure
        case "MODSEQ": return .modSeq
        case "BODY" where peek() != UInt8(ascii: "["): return .body
        case "BODY", "BODY.PEEK":
            let section = try section()
            return .bodySection(section, partial: try partial(), peek: name == "BODY.PEEK")
        case "BINARY", "BINARY.PEEK":
            let part = try binarySection()
            return .binary(part: part, partial: try partial(), peek: name == "BINARY.PEEK")
        case "BINARY.SIZE": return .binarySize(part: try binarySection())
        default: throw IMAPParseError("unknown FETCH item")
        }
    }

    /// `section = "[" [section-spec] "]"` (RFC 3501 §6.4.5, RFC 9051 §9).
    mutating func section() throws(IMAPParseError) -> IMAPSection {
        try expect(UInt8(ascii: "["), "[")
        var section = IMAPSection()
        if skip(UInt8(ascii: "]")) { return section }
        while let byte = peek(), IMAPCharacter.isDigit(byte) {
            section.part.append(Int(try number32(nonZero: true)))
            guard skip(UInt8(ascii: ".")) else { break }
        }
        if peek() != UInt8(ascii: "]") {
            if !section.part.isEmpty && bytes[index - 1] != UInt8(ascii: ".") {
                throw IMAPParseError("invalid section")
            }
            section.text = try sectionText(afterPart: !section.part.isEmpty)
        }
        try expect(UInt8(ascii: "]"), "]")
        return section
    }

    private mutating func sectionText(afterPart: Bool) throws(IMAPParseError) -> IMAPSection.Text {
        let name = Self.upper(take(while: { IMAPCharacter.isAtomChar($0) }))
        switch name {
        case "HEADER": return .header
        case "TEXT": return .text
        case "MIME" where afterPart: return .mime
        case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
            try space()
            let fields = try parenthesized { reader throws(IMAPParseError) in Self.upper(try reader.astring()) }
            return name == "HEADER.FIELDS" ? .headerFields(fields) : .headerFieldsNot(fields)
        default: throw IMAPParseError("invalid section")
        }
    }

    /// `section-binary = "[" [section-part] "]"` (RFC 3516 §6).
    private mutating func binarySection() throws(IMAPParseError) -> [UInt32] {
        try expect(UInt8(ascii: "["), "[")
        var part: [UInt32] = []
        if !skip(UInt8(ascii: "]")) {
            repeat { part.append(try number32(nonZero: true)) } while skip(UInt8(ascii: "."))
            try expect(UInt8(ascii: "]"), "]")
        }
        return part
    }

    /// `partial = "<" number64 "." nz-number64 ">"` (RFC 9051 §9).
    private mutating func partial() throws(IMAPParseError) -> IMAPPartial? {
        guard skip(UInt8(ascii: "<")) else { return nil }
        let offset = try number64()
        try expect(UInt8(ascii: "."), ". in partial")
        let length = try number64(nonZero: true)
        try expect(UInt8(ascii: ">"), ">")
        return IMAPPartial(offset: offset, length: length)
    }

    /// `STORE SP sequence-set [SP "(" UNCHANGEDSINCE SP n ")"] SP ["+"/"-"] FLAGS[.SILENT] SP flags`.
    mutating func store(uid: Bool) throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let set = try sequenceSet()
        try space()
        var unchangedSince: UInt64?
        if peek() == UInt8(ascii: "(") {
            _ = try parenthesized { reader throws(IMAPParseError) in
                guard try reader.keyword("a STORE modifier") == "UNCHANGEDSINCE" else {
                    throw IMAPParseError("unknown STORE modifier")
                }
                try reader.space()
                unchangedSince = try reader.number64()
            }
            try space()
        }
        let operation: IMAPStoreAction.Operation =
            skip(UInt8(ascii: "+")) ? .add : skip(UInt8(ascii: "-")) ? .remove : .replace
        let silent: Bool
        switch try keyword("FLAGS") {
        case "FLAGS": silent = false
        case "FLAGS.SILENT": silent = true
        default: throw IMAPParseError("expected FLAGS")
        }
        try space()
        var flags: [IMAPFlag]
        if peek() == UInt8(ascii: "(") {
            flags = try flagList()
        } else {
            flags = [try flag()]
            while skip(UInt8(ascii: " ")) { flags.append(try flag()) }
        }
        try end()
        return .store(
            set, IMAPStoreAction(operation, silent: silent, flags: flags), unchangedSince: unchangedSince, uid: uid)
    }
}
