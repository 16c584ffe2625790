/// Lexical path arithmetic for the configuration file (no file system access, no symlinks).
enum ConfigPaths {
    /// `/a/./b/../c/` → `/a/c`; relative paths stay relative (`a/../../b` → `../b`).
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(part)
                }
            default:
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `path` if absolute, else `base/path`; normalized either way.
    static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? normalize(path) : normalize(base + "/" + path)
    }

    /// The folder holding `file` (`/etc/posta/posta.toml` → `/etc/posta`; `posta.toml` → `.`).
    static func directory(of file: String) -> String {
        let normalized = normalize(file)
        guard let slash = normalized.lastIndex(of: "/") else { return "." }
        if slash == normalized.startIndex { return "/" }
        return String(normalized[..<slash])
    }
}
