/// Mailbox commands: SELECT parameters, CREATE, LIST, STATUS, APPEND.
extension IMAPByteReader {
    /// `[SP "(" select-param *(SP select-param) ")"]`: CONDSTORE, QRESYNC (RFC 7162 §3.1.8, §3.2.5).
    mutating func selectParameters() throws(IMAPParseError) -> IMAPSelectParameters {
        var parameters = IMAPSelectParameters()
        guard skip(UInt8(ascii: " ")) else { return parameters }
        _ = try parenthesized { reader throws(IMAPParseError) in
            switch try reader.keyword("a SELECT parameter") {
            case "CONDSTORE": parameters.condStore = true
            case "QRESYNC":
                try reader.space()
                parameters.qresync = try reader.qresyncParameters()
            default: throw IMAPParseError("unknown SELECT parameter")
            }
        }
        return parameters
    }

    /// `"(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"`.
    private mutating func qresyncParameters() throws(IMAPParseError) -> IMAPQResyncParameters {
        try expect(UInt8(ascii: "("), "(")
        return try nested { reader throws(IMAPParseError) in
            let uidValidity = try reader.number32(nonZero: true)
            try reader.space()
            var result = IMAPQResyncParameters(uidValidity: uidValidity, modSeq: try reader.number64(nonZero: true))
            if reader.skip(UInt8(ascii: " ")) {
                if reader.peek() != UInt8(ascii: "(") {
                    result.knownUIDs = try reader.sequenceSet()
                    if reader.skip(UInt8(ascii: " ")) { try reader.sequenceMatchData(&result) }
                } else {
                    try reader.sequenceMatchData(&result)
                }
            }
            try reader.expect(UInt8(ascii: ")"), ")")
            return result
        }
    }

    private mutating func sequenceMatchData(_ result: inout IMAPQResyncParameters) throws(IMAPParseError) {
        try expect(UInt8(ascii: "("), "(")
        result.knownSequenceSet = try sequenceSet()
        try space()
        result.knownUIDSet = try sequenceSet()
        try expect(UInt8(ascii: ")"), ")")
    }

    /// `CREATE SP mailbox [SP "(" USE SP "(" [use-attr *(SP use-attr)] ")" ")"]` (RFC 6154 §3, RFC 4466).
    mutating func create() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let mailbox = try mailbox()
        var uses: [String] = []
        if skip(UInt8(ascii: " ")) {
            _ = try parenthesized { reader throws(IMAPParseError) in
                guard try reader.keyword("a CREATE parameter") == "USE" else {
                    throw IMAPParseError("unknown CREATE parameter")
                }
                try reader.space()
                uses += try reader.parenthesized(allowEmpty: true) { inner throws(IMAPParseError) in
                    try inner.flag().rawValue
                }
            }
        }
        try end()
        return .create(mailbox, specialUse: uses)
    }

    /// `LIST [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]` (RFC 5258 §6).
    mutating func list() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        var command = IMAPListCommand(reference: IMAPMailboxName(bytes: []), patterns: [])
        if peek() == UInt8(ascii: "(") {
            command.isExtended = true
            command.selectOptions = try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in
                switch try reader.keyword("a selection option") {
                case "SUBSCRIBED": return .subscribed
                case "REMOTE": return .remote
                case "RECURSIVEMATCH": return .recursiveMatch
                case "SPECIAL-USE": return .specialUse
                // RFC 5258 §3.1: an unrecognised selection option is an error (BAD).
                case let other: throw IMAPParseError("unknown selection option \(other.prefix(40))")
                }
            }
            // RFC 5258 §3: RECURSIVEMATCH needs a base option to modify.
            if command.selectOptions.contains(.recursiveMatch)
                && !command.selectOptions.contains(where: { $0 != .recursiveMatch && $0 != .remote })
            {
                throw IMAPParseError("RECURSIVEMATCH needs another selection option")
            }
            try space()
        }
        command.reference = try mailbox()
        try space()
        if peek() == UInt8(ascii: "(") {
            command.isExtended = true
            command.patterns = try parenthesized { reader throws(IMAPParseError) in try reader.listMailbox() }
        } else {
            command.patterns = [try listMailbox()]
        }
        if skip(UInt8(ascii: " ")) {
            guard skipKeyword("RETURN") else { throw IMAPParseError("expected RETURN") }
            try space()
            command.isExtended = true
            command.returnOptions = try parenthesized(allowEmpty: true) { reader throws(IMAPParseError) in
                try reader.listReturnOption()
            }
        }
        try end()
        return .list(command)
    }

    private mutating func listReturnOption() throws(IMAPParseError) -> IMAPListReturnOption {
        switch try keyword("a return option") {
        case "SUBSCRIBED": return .subscribed
        case "CHILDREN": return .children
        case "SPECIAL-USE": return .specialUse
        case "STATUS":
            try space()
            return .status(try statusAttributes())
        // RFC 5258 §3.2: an unrecognised return option is an error (BAD).
        case let other: throw IMAPParseError("unknown return option \(other.prefix(40))")
        }
    }

    /// `"(" status-att *(SP status-att) ")"` (RFC 9051 §6.3.11).
    mutating func statusAttributes() throws(IMAPParseError) -> [IMAPStatusAttribute] {
        try parenthesized { reader throws(IMAPParseError) in
            guard let attribute = IMAPStatusAttribute(rawValue: try reader.keyword("a status item")) else {
                throw IMAPParseError("unknown status item")
            }
            return attribute
        }
    }

    /// `APPEND SP mailbox 1*(SP [flag-list SP] [date-time SP] (literal / literal8))`
    /// (RFC 9051 §6.3.12, RFC 3502 §6, RFC 3516 §4.4).
    mutating func append() throws(IMAPParseError) -> IMAPCommandKind {
        try space()
        let mailbox = try mailbox()
        var messages: [IMAPAppendMessage] = []
        while skip(UInt8(ascii: " ")) {
            var flags: [IMAPFlag] = []
            var date: IMAPDateTime?
            if peek() == UInt8(ascii: "(") {
                flags = try flagList()
                try space()
            }
            if peek() == UInt8(ascii: "\"") {
                date = try dateTime()
                try space()
            }
            let (data, isBinary) = try literal(binary: true)
            messages.append(IMAPAppendMessage(flags: flags, internalDate: date, data: data, isBinary: isBinary))
        }
        guard !messages.isEmpty else { throw IMAPParseError("expected a message literal") }
        try end()
        return .append(mailbox, messages)
    }
}
