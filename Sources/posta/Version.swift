/// The version printed by `posta serve`.
enum PostaVersion {
    static let string = "0.1.0-dev"
}
