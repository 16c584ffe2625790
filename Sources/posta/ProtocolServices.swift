import Core
import Server

/// The protocol services this build of Posta provides, by listener protocol (HTTP is built into
/// the server). Each protocol issue adds its entry here.
enum ProtocolServices {
    /// Listener protocols this build serves.
    static let available: Set<ListenerProtocol> = [.http]

    static func all(site: Site) -> [ListenerProtocol: any ProtocolService] {
        [:]
    }
}
