/// A top-level table of the configuration file that one subsystem owns: the subsystem's module
/// declares the settings type and decodes its table with a `ConfigReader`, so a new feature adds
/// its section without touching Core. `posta` hands the site's sections to `PostaConfig.parse`.
package protocol ConfigSection: Sendable, Equatable {
    /// The table's name, e.g. `delivery` for `[delivery]`.
    static var name: String { get }
    /// The settings when the file has no such table.
    init()
    /// Decodes the table at `path`; every problem goes to `reader` (with its line), and the result
    /// keeps the defaults for values that were absent or invalid.
    static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader) -> Self
}

/// The decoded sections of a site, by type. A section the file did not mention reads as its
/// defaults, so code can ask for any section its module knows.
package struct ConfigSections: Sendable, Equatable {
    private var values: [ObjectIdentifier: any ConfigSection] = [:]

    package init() {}

    package subscript<Section: ConfigSection>(_ type: Section.Type) -> Section {
        get { values[ObjectIdentifier(type)] as? Section ?? Section() }
        set { values[ObjectIdentifier(type)] = newValue }
    }

    package static func == (lhs: ConfigSections, rhs: ConfigSections) -> Bool {
        guard Set(lhs.values.keys) == Set(rhs.values.keys) else { return false }
        return lhs.values.allSatisfy { key, value in rhs.values[key].map { value.isEqual(to: $0) } ?? false }
    }
}

extension ConfigSection {
    fileprivate func isEqual(to other: any ConfigSection) -> Bool {
        (other as? Self) == self
    }

    /// Decodes this section's table in `root` (the defaults when there is none) into `sections`.
    static func decode(in root: ConfigReader.Entries, reader: inout ConfigReader, into sections: inout ConfigSections) {
        guard let entries = reader.table(name, in: root, at: .root) else { return }
        sections[Self.self] = decode(entries, at: ConfigKeyPath.root.appending(name), reader: &reader)
    }
}
