/// This build's version: printed by `posta serve`, recorded in the cluster's node registry,
/// named in generated reports.
public enum PostaVersion {
    public static let string = "0.1.0-dev"
}
