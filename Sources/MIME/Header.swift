/// The header section of a message or body part: fields in their original order.
public struct Header: Sendable, Hashable {
    /// Fields in order. Lines that are not fields (no colon, bad name) are skipped but stay in the raw range.
    public var fields: [HeaderField]

    public init(fields: [HeaderField]) { self.fields = fields }

    /// The first field with this name (case-insensitive), or nil.
    public func field(_ name: some StringProtocol) -> HeaderField? {
        fields.first { $0.hasName(name) }
    }

    /// All fields with this name, in order.
    public func fields(named name: some StringProtocol) -> [HeaderField] {
        fields.filter { $0.hasName(name) }
    }

    /// The unfolded raw value of the first field with this name.
    public subscript(name: some StringProtocol) -> String? { field(name)?.value }
}

extension Header {
    /// Parses the header section starting at `range.lowerBound` (RFC 5322 §2.2, §3.5). Returns the header and
    /// where the body starts: after the empty line that ends the header, or `range.upperBound` if none.
    static func parse(_ bytes: [UInt8], in range: Range<Int>) -> (header: Header, bodyStart: Int) {
        var fields: [HeaderField] = []
        var lines = LineScanner(bytes, range: range)
        var pending: (start: Int, nameEnd: Int)?
        var pendingEnd = range.lowerBound

        func flush() {
            guard let field = pending else { return }
            fields.append(makeField(bytes, start: field.start, nameEnd: field.nameEnd, end: pendingEnd))
            pending = nil
        }

        while let line = lines.next() {
            if line.start == line.contentEnd {
                flush()
                return (Header(fields: fields), line.next)
            }
            if ASCII.isWSP(bytes[line.start]) {
                // A continuation line (RFC 5322 §2.2.3) extends the current field, if there is one.
                if pending != nil { pendingEnd = line.next }
                continue
            }
            flush()
            if let nameEnd = fieldNameEnd(bytes, line.start..<line.contentEnd) {
                pending = (line.start, nameEnd)
                pendingEnd = line.next
            }
        }
        flush()
        return (Header(fields: fields), range.upperBound)
    }

    /// The index of the colon ending a field name (RFC 5322 §3.6.8 ftext, WSP before the colon tolerated
    /// as in obs-optional), or nil if the line is not a field.
    private static func fieldNameEnd(_ bytes: [UInt8], _ line: Range<Int>) -> Int? {
        var index = line.lowerBound
        while index < line.upperBound {
            let byte = bytes[index]
            if byte == ASCII.colon { break }
            if byte <= 0x20 || byte >= 0x7F {
                guard ASCII.isWSP(byte) else { return nil }
            }
            index += 1
        }
        guard index < line.upperBound, index > line.lowerBound else { return nil }
        return index
    }

    private static func makeField(_ bytes: [UInt8], start: Int, nameEnd: Int, end: Int) -> HeaderField {
        var nameStop = nameEnd
        while nameStop > start && ASCII.isWSP(bytes[nameStop - 1]) { nameStop -= 1 }
        let nameBytes = bytes[start..<nameStop]
        var value: [UInt8] = []
        value.reserveCapacity(end - nameEnd)
        for byte in bytes[(nameEnd + 1)..<end] where byte != ASCII.cr && byte != ASCII.lf {
            value.append(byte)
        }
        let first = value.firstIndex { !ASCII.isWSP($0) } ?? value.endIndex
        let last = value.lastIndex { !ASCII.isWSP($0) }.map { $0 + 1 } ?? first
        return HeaderField(
            name: String(decoding: nameBytes, as: UTF8.self),
            lowercasedName: ASCII.lowercasedString(nameBytes),
            range: start..<end,
            valueBytes: first < last ? Array(value[first..<last]) : []
        )
    }
}
