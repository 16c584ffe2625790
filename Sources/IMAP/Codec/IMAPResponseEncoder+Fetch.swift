/// FETCH replies (RFC 9051 §7.5.2).
extension IMAPResponseEncoder {
    func writeFetch(_ number: UInt32, _ values: [IMAPFetchValue], into out: inout [UInt8]) {
        IMAPWriter.writeNumber(number, into: &out)
        IMAPWriter.write(" FETCH (", into: &out)
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: " ")) }
            writeFetchValue(value, into: &out)
        }
        out.append(UInt8(ascii: ")"))
    }

    private func writeFetchValue(_ value: IMAPFetchValue, into out: inout [UInt8]) {
        switch value {
        case .uid(let uid):
            IMAPWriter.write("UID ", into: &out)
            IMAPWriter.writeNumber(uid, into: &out)
        case .flags(let flags):
            IMAPWriter.write("FLAGS ", into: &out)
            IMAPWriter.writeFlags(flags, into: &out)
        case .internalDate(let date):
            IMAPWriter.write("INTERNALDATE ", into: &out)
            IMAPWriter.writeDateTime(date, into: &out)
        case .rfc822Size(let size):
            IMAPWriter.write("RFC822.SIZE ", into: &out)
            IMAPWriter.writeNumber(size, into: &out)
        case .modSeq(let modSeq):
            IMAPWriter.write("MODSEQ (", into: &out)
            IMAPWriter.writeNumber(modSeq, into: &out)
            out.append(UInt8(ascii: ")"))
        case .envelope(let envelope):
            IMAPWriter.write("ENVELOPE ", into: &out)
            envelope.write(utf8: utf8Accept, into: &out)
        case .bodyStructure(let structure):
            IMAPWriter.write("BODYSTRUCTURE ", into: &out)
            structure.write(utf8: utf8Accept, into: &out)
        case .body(let structure):
            IMAPWriter.write("BODY ", into: &out)
            structure.write(utf8: utf8Accept, into: &out)
        case .bodySection(let section, let origin, let data):
            IMAPWriter.write("BODY", into: &out)
            IMAPWriter.writeSection(section, into: &out)
            writeOrigin(origin, into: &out)
            out.append(UInt8(ascii: " "))
            writePayload(data, binary: false, into: &out)
        case .binary(let part, let origin, let data):
            IMAPWriter.write("BINARY", into: &out)
            IMAPWriter.writeSection(IMAPSection(part: part.map(Int.init)), into: &out)
            writeOrigin(origin, into: &out)
            out.append(UInt8(ascii: " "))
            writePayload(data, binary: true, into: &out)
        case .binarySize(let part, let size):
            IMAPWriter.write("BINARY.SIZE", into: &out)
            IMAPWriter.writeSection(IMAPSection(part: part.map(Int.init)), into: &out)
            out.append(UInt8(ascii: " "))
            IMAPWriter.writeNumber(size, into: &out)
        case .rfc822(let data):
            IMAPWriter.write("RFC822 ", into: &out)
            writePayload(data, binary: false, into: &out)
        case .rfc822Header(let data):
            IMAPWriter.write("RFC822.HEADER ", into: &out)
            writePayload(data, binary: false, into: &out)
        case .rfc822Text(let data):
            IMAPWriter.write("RFC822.TEXT ", into: &out)
            writePayload(data, binary: false, into: &out)
        }
    }

    private func writeOrigin(_ origin: UInt64?, into out: inout [UInt8]) {
        guard let origin else { return }
        out.append(UInt8(ascii: "<"))
        IMAPWriter.writeNumber(origin, into: &out)
        out.append(UInt8(ascii: ">"))
    }

    /// Message data is always a literal (NIL when absent).
    private func writePayload(_ data: [UInt8]?, binary: Bool, into out: inout [UInt8]) {
        guard let data else {
            IMAPWriter.write("NIL", into: &out)
            return
        }
        IMAPWriter.writeLiteral(data, binary: binary, into: &out)
    }
}

extension IMAPWriter {
    /// `"[" section-spec "]"` (RFC 9051 §9).
    static func writeSection(_ section: IMAPSection, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, part) in section.part.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ".")) }
            writeNumber(part, into: &out)
        }
        if let text = section.text {
            if !section.part.isEmpty { out.append(UInt8(ascii: ".")) }
            switch text {
            case .header: write("HEADER", into: &out)
            case .text: write("TEXT", into: &out)
            case .mime: write("MIME", into: &out)
            case .headerFields(let fields), .headerFieldsNot(let fields):
                if case .headerFields = text {
                    write("HEADER.FIELDS (", into: &out)
                } else {
                    write("HEADER.FIELDS.NOT (", into: &out)
                }
                for (index, field) in fields.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: " ")) }
                    writeAString(Array(field.utf8), utf8: false, into: &out)
                }
                out.append(UInt8(ascii: ")"))
            }
        }
        out.append(UInt8(ascii: "]"))
    }
}
