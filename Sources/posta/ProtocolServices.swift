import Core
import Server

/// The protocol services this build of Posta provides, by listener protocol (HTTP is built into
/// the server). Each protocol issue adds its entry here.
enum ProtocolServices {
    static func all(site: Site) -> [ListenerProtocol: any ProtocolService] {
        [:]
    }
}
