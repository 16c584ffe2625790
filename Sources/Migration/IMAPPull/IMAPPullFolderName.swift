/// Maps a listed mailbox name to Posta's: levels split at the server's hierarchy delimiter, each level decoded
/// from modified UTF-7 (RFC 3501 §5.1.3, as ``DovecotMaildirImporter`` decodes Dovecot's folder names), joined
/// with `/`. INBOX is case-insensitive (RFC 9051 §5.1) and becomes `INBOX`.
enum IMAPPullFolderName {
    static func postaName(_ entry: IMAPPullListEntry, decode: (String) -> String?) -> Result<String, IMAPPullError> {
        if entry.name.uppercased() == "INBOX" { return .success("INBOX") }
        let levels: [String]
        if let delimiter = entry.delimiter {
            levels = entry.name.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        } else {
            levels = [entry.name]
        }
        var out: [String] = []
        for (index, level) in levels.enumerated() {
            guard !level.isEmpty else { return .failure(IMAPPullError("the name has an empty level")) }
            guard let decoded = decode(level) else {
                return .failure(IMAPPullError("\(level) is not valid modified UTF-7"))
            }
            guard !decoded.contains("/") else {
                return .failure(IMAPPullError("the level \(decoded) holds a /, Posta's hierarchy delimiter"))
            }
            out.append(index == 0 && decoded.uppercased() == "INBOX" ? "INBOX" : decoded)
        }
        return .success(out.joined(separator: "/"))
    }
}
