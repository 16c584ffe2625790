/// How an attachment rule reads a file name: as the file system and desktop that save and open it would.
enum AttachmentName {
    /// The extension (lowercase, without the dot) the saved file would have, or nil: the last path
    /// component (`/` or `\`), without an NTFS stream suffix (`a.exe:stream`, `a.exe::$DATA`), with
    /// control characters and invisible format characters (bidi overrides like U+202E, zero-width
    /// characters, BOM) removed, and trailing dots and spaces stripped as Windows does (`a.exe.` and
    /// `a.exe ` save as `a.exe`).
    static func fileExtension(of name: String) -> String? {
        var text = String(name.unicodeScalars.filter { !isInvisible($0) })
        if let slash = text.lastIndex(where: { $0 == "/" || $0 == "\\" }) { text = String(text[text.index(after: slash)...]) }
        if let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        while let last = text.unicodeScalars.last, last == "." || last.properties.isWhitespace {
            text.unicodeScalars.removeLast()
        }
        guard let dot = text.lastIndex(of: ".") else { return nil }
        let ext = text[text.index(after: dot)...].lowercased()
        return ext.isEmpty ? nil : ext
    }

    /// C0/C1 controls, DEL, and Unicode format characters (general category Cf: bidi controls,
    /// zero-width spaces and joiners, BOM) that change how a name looks without being part of it.
    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.generalCategory == .format
    }
}
