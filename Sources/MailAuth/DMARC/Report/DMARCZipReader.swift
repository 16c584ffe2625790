import CompressNIO
import NIOCore

/// Reads the file entries of a zip archive (PKWARE APPNOTE 6.3: end of central directory record,
/// central directory headers, local file headers; stored and deflated entries), as some receivers
/// mail their reports.
///
/// Hand-written for hostile input: ZIPFoundation traps on malformed in-memory archives and loops
/// forever on some file-backed ones (both found by fuzzing), so it is used only to make archives in
/// tests. Here every offset and length is checked against the bytes, the entry count and the
/// inflated size are bounded, and ZIP64, encryption and other methods are refused. CRC-32 values
/// are not checked: what comes out must still parse as a report.
struct DMARCZipReader {
    /// One file of the archive.
    struct Entry {
        var name: String
        var method: UInt16
        var flags: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let entries: [Entry]

    /// Reads the central directory; throws when it is malformed or lists more than `maxEntries`.
    init(_ bytes: [UInt8], maxEntries: Int) throws(DMARCReportError) {
        self.bytes = bytes
        // The end of central directory record: 22 octets and a comment of up to 65,535, at the end.
        let earliest = max(0, bytes.count - 22 - 0xFFFF)
        var position = bytes.count - 22
        var end: Int?
        while position >= earliest {
            if Self.uint32(bytes, position) == 0x0605_4B50
                && position + 22 + Int(Self.uint16(bytes, position + 20)) == bytes.count
            {
                end = position
                break
            }
            position -= 1
        }
        guard let end else { throw DMARCReportError("broken zip archive: no end of central directory") }
        let count = Int(Self.uint16(bytes, end + 10))
        let size = Int(Self.uint32(bytes, end + 12))
        let offset = Int(Self.uint32(bytes, end + 16))
        guard count != 0xFFFF, size != 0xFFFF_FFFF, offset != 0xFFFF_FFFF else {
            throw DMARCReportError("ZIP64 archives are not accepted")
        }
        guard count <= maxEntries else { throw DMARCReportError("zip archive of more than \(maxEntries) entries") }
        guard offset <= end, size <= end - offset else {
            throw DMARCReportError("broken zip archive: central directory out of bounds")
        }
        var entries: [Entry] = []
        var cursor = offset
        for _ in 0..<count {
            guard cursor + 46 <= offset + size, Self.uint32(bytes, cursor) == 0x0201_4B50 else {
                throw DMARCReportError("broken zip archive: bad central directory header")
            }
            let nameLength = Int(Self.uint16(bytes, cursor + 28))
            let extraLength = Int(Self.uint16(bytes, cursor + 30))
            let commentLength = Int(Self.uint16(bytes, cursor + 32))
            let next = cursor + 46 + nameLength + extraLength + commentLength
            guard next <= offset + size else {
                throw DMARCReportError("broken zip archive: central directory header out of bounds")
            }
            entries.append(
                Entry(
                    name: String(decoding: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], as: UTF8.self),
                    method: Self.uint16(bytes, cursor + 10), flags: Self.uint16(bytes, cursor + 8),
                    compressedSize: Int(Self.uint32(bytes, cursor + 20)), uncompressedSize: Int(Self.uint32(bytes, cursor + 24)),
                    localHeaderOffset: Int(Self.uint32(bytes, cursor + 42))))
            cursor = next
        }
        self.entries = entries
    }

    /// The content of `entry`, at most `limit` octets once inflated.
    func content(of entry: Entry, limit: Int) throws(DMARCReportError) -> [UInt8] {
        let label = "zip entry '\(entry.name.prefix(60))'"
        guard entry.flags & 0x1 == 0 else { throw DMARCReportError("\(label) is encrypted") }
        guard entry.uncompressedSize <= limit else {
            throw DMARCReportError("\(label) of \(entry.uncompressedSize) octets (limit \(limit))")
        }
        let header = entry.localHeaderOffset
        guard header <= bytes.count - 30, Self.uint32(bytes, header) == 0x0403_4B50 else {
            throw DMARCReportError("broken zip archive: bad local header of \(label)")
        }
        let start = header + 30 + Int(Self.uint16(bytes, header + 26)) + Int(Self.uint16(bytes, header + 28))
        guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
            throw DMARCReportError("broken zip archive: \(label) out of bounds")
        }
        let data = bytes[start..<(start + entry.compressedSize)]
        switch entry.method {
        case 0:
            guard data.count <= limit else { throw DMARCReportError("\(label) larger than \(limit) octets") }
            return Array(data)
        case 8:
            guard !data.isEmpty else { return [] }
            var buffer = ByteBuffer(bytes: data)
            do {
                // Raw deflate (RFC 1951); the declared size can lie, the cap cannot.
                return Array(try buffer.decompress(with: .deflate(), maxSize: limit).readableBytesView)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw DMARCReportError("\(label) inflates beyond \(limit) octets")
            } catch {
                throw DMARCReportError("broken zip archive: \(label) (\(error))")
            }
        default:
            throw DMARCReportError("\(label) uses compression method \(entry.method)")
        }
    }

    private static func uint16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        guard offset >= 0, offset + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        guard offset >= 0, offset + 4 <= bytes.count else { return 0 }
        return UInt32(uint16(bytes, offset)) | UInt32(uint16(bytes, offset + 2)) << 16
    }
}
