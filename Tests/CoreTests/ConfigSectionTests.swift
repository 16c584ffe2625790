import Core
import PostaTestSupport
import Testing

/// A section as a subsystem would declare it, outside Core's own tables.
private struct GreetingSettings: ConfigSection {
    static let name = "greeting"
    var text = "hello"
    var repeats = 1

    static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader) -> Self {
        reader.checkKeys(entries, at: path, allowed: ["text", "repeats"])
        var settings = Self()
        if let text = reader.nonEmptyString("text", in: entries, at: path, expected: "a greeting") { settings.text = text }
        if let repeats = reader.integer("repeats", in: entries, at: path, range: 1...3) { settings.repeats = repeats }
        return settings
    }
}

@Suite("Config: sections owned by subsystems")
struct ConfigSectionTests {
    @Test func aRegisteredSectionIsDecodedByItsOwner() throws {
        let text = configHeader + "\n[greeting]\ntext = \"welcome\"\nrepeats = 2\n"
        let config = try #require(parsedConfig(text, sections: [GreetingSettings.self]))
        #expect(config.sections[GreetingSettings.self] == GreetingSettings(text: "welcome", repeats: 2))
    }

    @Test func anAbsentSectionReadsAsItsDefaults() throws {
        let config = try #require(parsedConfig(configHeader, sections: [GreetingSettings.self]))
        #expect(config.sections[GreetingSettings.self] == GreetingSettings())
    }

    @Test func itsErrorsCarryKeyAndLineLikeCoreTables() {
        let errors = configErrors(
            configHeader + "\n[greeting]\nrepeats = 9\ncolour = \"red\"\n", sections: [GreetingSettings.self])
        #expect(errors.map { "\($0.line ?? 0) \($0.key ?? "")" } == ["4 greeting.repeats", "5 greeting.colour"])
    }

    @Test func anUnregisteredTableIsAnUnknownKey() throws {
        let error = try #require(singleError(configHeader + "\n[greeting]\ntext = \"hi\"\n"))
        #expect(error.kind == .unknownKey && error.line == 3 && error.key == "greeting")
    }

    @Test func sectionsAreNamedAmongTheAllowedTopLevelKeys() throws {
        let error = try #require(singleError(configHeader + "\ngreting = 1\n", sections: [GreetingSettings.self]))
        #expect(error.message.hasSuffix("listener, greeting)"))
    }

    @Test func equalityComparesEverySection() throws {
        var a = try #require(parsedConfig(configHeader, sections: [GreetingSettings.self]))
        let b = a
        #expect(a == b)
        a.sections[GreetingSettings.self].repeats = 3
        #expect(a != b)
    }
}
