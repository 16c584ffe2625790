// Helpers shared by the Config*Tests suites; `sections` are the subsystem tables to accept.
import Core
import Testing

/// Parses `text` and returns the errors (empty when it parsed).
package func configErrors(
    _ text: String, path: String = "/etc/posta/posta.toml", sections: [any ConfigSection.Type] = []
) -> [ConfigError] {
    do {
        _ = try PostaConfig.parse(text, path: path, sections: sections)
        return []
    } catch {
        return error.errors
    }
}

/// Parses `text`, recording an issue (with every error) when it does not parse.
package func parsedConfig(
    _ text: String, path: String = "/etc/posta/posta.toml", sections: [any ConfigSection.Type] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) -> PostaConfig? {
    do {
        return try PostaConfig.parse(text, path: path, sections: sections)
    } catch {
        Issue.record("unexpected errors:\n\(error.description)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Asserts exactly one error and returns it.
package func singleError(
    _ text: String, path: String = "/etc/posta/posta.toml", sections: [any ConfigSection.Type] = [],
    sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigError? {
    let errors = configErrors(text, path: path, sections: sections)
    guard errors.count == 1 else {
        Issue.record(
            "expected exactly one error, got \(errors.count):\n\(ConfigErrors(errors).description)",
            sourceLocation: sourceLocation)
        return nil
    }
    return errors[0]
}

/// The two required keys, lines 1 and 2.
package let configHeader = """
    hostname = "mx1.example.org"
    data_dir = "/var/lib/posta"
    """
