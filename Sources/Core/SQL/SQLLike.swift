/// LIKE patterns built from untrusted text: `%` and `_` in the text match only themselves. Use
/// with `ESCAPE '!'` (the `escape` clause below) on SQLite and PostgreSQL alike.
public enum SQLLike {
    /// The escape clause that goes after every pattern built here.
    public static let escape = "ESCAPE '!'"

    /// `text` with LIKE's wildcards (and the escape character `!`) escaped.
    public static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "!" { out.append("!") }
            out.append(c)
        }
        return out
    }

    /// Matches values that contain `text`.
    public static func containing(_ text: String) -> String { "%" + escaped(text) + "%" }

    /// Matches values that end with `text`.
    public static func ending(with text: String) -> String { "%" + escaped(text) }
}
