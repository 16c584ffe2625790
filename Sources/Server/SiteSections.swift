import Admin
import Core
import Directory
import Filter
import Monitor
import Policy
import Queue
import Sieve
import Store

extension PostaConfig {
    /// The top-level tables the subsystems own, each decoded by its module (`ConfigSection`).
    /// A new subsystem with settings adds its type here and nothing to Core.
    package static let siteSections: [any ConfigSection.Type] = [
        DeliverySettings.self, FilterSettings.self, AuthSettings.self, DirectorySettings.self, StoreSettings.self,
        DMARCSettings.self,
        MTASTSSettings.self, MetricsSettings.self, SummarySettings.self, AbuseSettings.self, AdminSettings.self,
        SieveSettings.self,
    ]

    /// Parses a whole site's configuration (docs/config.md).
    package static func parseSite(_ text: String, path: String) throws(ConfigErrors) -> PostaConfig {
        try parse(text, path: path, sections: siteSections)
    }

    /// Reads and parses a whole site's configuration file.
    package static func loadSite(path: String) throws(ConfigErrors) -> PostaConfig {
        try load(path: path, sections: siteSections)
    }
}
