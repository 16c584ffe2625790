import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// The console's file uploads: a `multipart/form-data` body (RFC 7578) parsed by MultipartKit
/// into text fields (the CSRF token among them) and files, within bounds: the whole body, the
/// parts, and the text of the fields. Only the routes that take a file accept it, and only after
/// the session was checked.
enum ConsoleUpload {
    /// The largest body an upload route reads (a report file and a few fields).
    static let maxBodyBytes = 8 << 20
    /// Parts one form may have (a file and a few fields).
    static let maxParts = 16

    /// Whether `contentType` is `multipart/form-data`, and its boundary (RFC 2046 §5.1.1).
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            guard let eq = parameter.firstIndex(of: "="),
                parameter[..<eq].trimmingCharacters(in: .whitespaces).lowercased() == "boundary"
            else { continue }
            var value = parameter[parameter.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046 §5.1.1: 1 to 70 characters.
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// The form in `body`: each part with a `filename` is a file, the others text fields.
    static func form(
        _ body: ByteBuffer, boundary: String, maxParts: Int = maxParts, maxTextBytes: Int = ConsoleHTTP.maxFormBytes
    ) throws(UploadError) -> FormData {
        var parts: [(headers: [(String, String)], body: ByteBuffer)] = []
        var headers: [(String, String)] = []
        var current = ByteBuffer()
        var tooMany = false
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.append((name, value)) }
        parser.onBody = { chunk in current.writeBuffer(&chunk) }
        parser.onPartComplete = {
            if parts.count < maxParts { parts.append((headers, current)) } else { tooMany = true }
            headers = []
            current = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw .malformed
        }
        guard !tooMany else { throw .malformed }
        var fields: [(name: String, value: String)] = []
        var files: [String: [UInt8]] = [:]
        var uploads: [UploadedFile] = []
        var textBytes = 0
        for part in parts {
            guard
                let disposition = part.headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1,
                let name = parameter("name", in: disposition)
            else { continue }
            if let filename = parameter("filename", in: disposition) {
                let bytes = Array(part.body.readableBytesView)
                files[name] = bytes
                // A file input left empty sends a part with an empty name and no content.
                if !filename.isEmpty || !bytes.isEmpty {
                    let type = part.headers.first(where: { $0.0.lowercased() == "content-type" })?.1
                    uploads.append(UploadedFile(field: name, filename: filename, contentType: type ?? "", bytes: bytes))
                }
            } else {
                textBytes += part.body.readableBytes
                guard textBytes <= maxTextBytes else { throw .malformed }
                fields.append((name, String(buffer: part.body)))
            }
        }
        return FormData(fields: fields, files: files, uploads: uploads)
    }

    /// A parameter of a `Content-Disposition` value (RFC 7578 §4.2: quoted; `\"` escapes).
    static func parameter(_ key: String, in disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let piece = piece.trimmingCharacters(in: .whitespaces)
            guard let eq = piece.firstIndex(of: "="), piece[..<eq].lowercased() == key else { continue }
            var value = String(piece[piece.index(after: eq)...])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    enum UploadError: Error { case malformed }
}
