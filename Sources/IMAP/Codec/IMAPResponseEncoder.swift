/// Encodes responses into bytes, each ending in CRLF (RFC 9051 §7, §9 `response`).
public struct IMAPResponseEncoder: Sendable {
    /// UTF8=ACCEPT is on (RFC 6855 §3): quoted strings may carry UTF-8 and mailbox names are sent as
    /// UTF-8 instead of modified UTF-7.
    public var utf8Accept: Bool

    public init(utf8Accept: Bool = false) { self.utf8Accept = utf8Accept }

    public func encode(_ response: IMAPResponse) -> [UInt8] {
        var out: [UInt8] = []
        encode(response, into: &out)
        return out
    }

    /// Appends the encoded response to `out` (avoids a copy when batching responses).
    public func encode(_ response: IMAPResponse, into out: inout [UInt8]) {
        switch response {
        case .tagged(let tag, let status):
            IMAPWriter.write(tag, into: &out)
            out.append(UInt8(ascii: " "))
            writeStatus(status, into: &out)
        case .untagged(let status):
            IMAPWriter.write("* ", into: &out)
            writeStatus(status, into: &out)
        case .continuation(let text):
            IMAPWriter.write("+ ", into: &out)
            IMAPWriter.writeText(text, into: &out)
        case .data(let data):
            IMAPWriter.write("* ", into: &out)
            writeData(data, into: &out)
        }
        IMAPWriter.write("\r\n", into: &out)
    }

    /// `status SP ["[" code "]" SP] text` (RFC 9051 §7.1).
    private func writeStatus(_ status: IMAPStatusResponse, into out: inout [UInt8]) {
        IMAPWriter.write(status.status.rawValue, into: &out)
        if let code = status.code {
            IMAPWriter.write(" [", into: &out)
            code.write(into: &out)
            out.append(UInt8(ascii: "]"))
        }
        if !status.text.isEmpty || status.code == nil {
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeText(status.text, into: &out)
        }
    }

    private func writeData(_ data: IMAPResponseData, into out: inout [UInt8]) {
        switch data {
        case .capability(let capabilities): writeAtoms("CAPABILITY", capabilities, into: &out)
        case .enabled(let capabilities): writeAtoms("ENABLED", capabilities, into: &out)
        case .list(let item): writeList("LIST", item, into: &out)
        case .lsub(let item): writeList("LSUB", item, into: &out)
        case .status(let mailbox, let values):
            IMAPWriter.write("STATUS ", into: &out)
            IMAPWriter.writeMailbox(mailbox, utf8: utf8Accept, into: &out)
            IMAPWriter.write(" (", into: &out)
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                IMAPWriter.write(value.attribute.rawValue, into: &out)
                out.append(UInt8(ascii: " "))
                if let number = value.value {
                    IMAPWriter.writeNumber(number, into: &out)
                } else {
                    IMAPWriter.write("NIL", into: &out)
                }
            }
            out.append(UInt8(ascii: ")"))
        case .search(let numbers, let modSeq):
            IMAPWriter.write("SEARCH", into: &out)
            for number in numbers {
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeNumber(number, into: &out)
            }
            if let modSeq {
                IMAPWriter.write(" (MODSEQ ", into: &out)
                IMAPWriter.writeNumber(modSeq, into: &out)
                out.append(UInt8(ascii: ")"))
            }
        case .esearch(let response): writeESearch(response, into: &out)
        case .flags(let flags):
            IMAPWriter.write("FLAGS ", into: &out)
            IMAPWriter.writeFlags(flags, into: &out)
        case .exists(let count): writeNumbered(count, "EXISTS", into: &out)
        case .recent(let count): writeNumbered(count, "RECENT", into: &out)
        case .expunge(let number): writeNumbered(number, "EXPUNGE", into: &out)
        case .vanished(let uids, let earlier):
            IMAPWriter.write(earlier ? "VANISHED (EARLIER) " : "VANISHED ", into: &out)
            IMAPWriter.writeSequenceSet(uids, into: &out)
        case .fetch(let number, let values): writeFetch(number, values, into: &out)
        case .namespace(let personal, let otherUsers, let shared):
            IMAPWriter.write("NAMESPACE", into: &out)
            for namespaces in [personal, otherUsers, shared] {
                out.append(UInt8(ascii: " "))
                writeNamespaces(namespaces, into: &out)
            }
        case .id(let fields):
            IMAPWriter.write("ID ", into: &out)
            guard let fields, !fields.isEmpty else {
                IMAPWriter.write("NIL", into: &out)
                return
            }
            out.append(UInt8(ascii: "("))
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                IMAPWriter.writeString(field.key, utf8: utf8Accept, into: &out)
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeNString(field.value, utf8: utf8Accept, into: &out)
            }
            out.append(UInt8(ascii: ")"))
        case .quota(let root, let usages):
            IMAPWriter.write("QUOTA ", into: &out)
            IMAPWriter.writeAString(Array(root.utf8), utf8: utf8Accept, into: &out)
            IMAPWriter.write(" (", into: &out)
            for (index, usage) in usages.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                IMAPWriter.write(usage.resource, into: &out)
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeNumber(usage.usage, into: &out)
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeNumber(usage.limit, into: &out)
            }
            out.append(UInt8(ascii: ")"))
        case .quotaRoot(let mailbox, let roots):
            IMAPWriter.write("QUOTAROOT ", into: &out)
            IMAPWriter.writeMailbox(mailbox, utf8: utf8Accept, into: &out)
            for root in roots {
                out.append(UInt8(ascii: " "))
                IMAPWriter.writeAString(Array(root.utf8), utf8: utf8Accept, into: &out)
            }
        }
    }

    private func writeAtoms(_ name: StaticString, _ atoms: [String], into out: inout [UInt8]) {
        IMAPWriter.write(name, into: &out)
        for atom in atoms {
            out.append(UInt8(ascii: " "))
            IMAPWriter.write(atom, into: &out)
        }
    }

    private func writeNumbered(_ number: UInt32, _ name: StaticString, into out: inout [UInt8]) {
        IMAPWriter.writeNumber(number, into: &out)
        out.append(UInt8(ascii: " "))
        IMAPWriter.write(name, into: &out)
    }

    /// `mailbox-list` with RFC 5258 §9 `mbox-list-extended`.
    private func writeList(_ name: StaticString, _ item: IMAPListItem, into out: inout [UInt8]) {
        IMAPWriter.write(name, into: &out)
        out.append(UInt8(ascii: " "))
        IMAPWriter.writeAtomList(item.attributes, into: &out)
        out.append(UInt8(ascii: " "))
        writeDelimiter(item.delimiter, into: &out)
        out.append(UInt8(ascii: " "))
        IMAPWriter.writeMailbox(item.name, utf8: utf8Accept, into: &out)
        guard !item.childInfo.isEmpty || item.oldName != nil else { return }
        IMAPWriter.write(" (", into: &out)
        if !item.childInfo.isEmpty {
            IMAPWriter.write("\"CHILDINFO\" (", into: &out)
            for (index, info) in item.childInfo.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                IMAPWriter.writeQuoted(info.utf8, into: &out)
            }
            out.append(UInt8(ascii: ")"))
        }
        if let oldName = item.oldName {
            if !item.childInfo.isEmpty { out.append(UInt8(ascii: " ")) }
            IMAPWriter.write("\"OLDNAME\" (", into: &out)
            IMAPWriter.writeMailbox(oldName, utf8: utf8Accept, into: &out)
            out.append(UInt8(ascii: ")"))
        }
        out.append(UInt8(ascii: ")"))
    }

    /// A `QUOTED-CHAR` delimiter or NIL.
    private func writeDelimiter(_ delimiter: Character?, into out: inout [UInt8]) {
        if let delimiter {
            IMAPWriter.writeQuoted(String(delimiter).utf8, into: &out)
        } else {
            IMAPWriter.write("NIL", into: &out)
        }
    }

    private func writeESearch(_ response: IMAPESearchResponse, into out: inout [UInt8]) {
        IMAPWriter.write("ESEARCH", into: &out)
        if let tag = response.tag {
            IMAPWriter.write(" (TAG ", into: &out)
            IMAPWriter.writeString(tag.utf8, utf8: utf8Accept, into: &out)
            out.append(UInt8(ascii: ")"))
        }
        if response.uid { IMAPWriter.write(" UID", into: &out) }
        func item(_ name: StaticString, _ value: UInt64?) {
            guard let value else { return }
            out.append(UInt8(ascii: " "))
            IMAPWriter.write(name, into: &out)
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeNumber(value, into: &out)
        }
        item("MIN", response.min.map(UInt64.init))
        item("MAX", response.max.map(UInt64.init))
        if let all = response.all {
            IMAPWriter.write(" ALL ", into: &out)
            IMAPWriter.writeSequenceSet(all, into: &out)
        }
        item("COUNT", response.count.map(UInt64.init))
        item("MODSEQ", response.modSeq)
    }

    /// `"(" "(" prefix SP delimiter ")" ... ")"` or NIL (RFC 2342 §5).
    private func writeNamespaces(_ namespaces: [IMAPNamespace]?, into out: inout [UInt8]) {
        guard let namespaces, !namespaces.isEmpty else {
            IMAPWriter.write("NIL", into: &out)
            return
        }
        out.append(UInt8(ascii: "("))
        for namespace in namespaces {
            out.append(UInt8(ascii: "("))
            let prefix = utf8Accept ? Array(namespace.prefix.utf8) : ModifiedUTF7.encode(namespace.prefix)
            IMAPWriter.writeString(prefix, utf8: utf8Accept, into: &out)
            out.append(UInt8(ascii: " "))
            writeDelimiter(namespace.delimiter, into: &out)
            out.append(UInt8(ascii: ")"))
        }
        out.append(UInt8(ascii: ")"))
    }
}
