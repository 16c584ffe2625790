/// Walks a parsed document, reading typed values and collecting every problem with its line.
struct ConfigReader {
    typealias Entries = [(key: String, value: ConfigNode)]

    let file: String
    let locator: KeyLocator
    private(set) var errors: [ConfigError] = []

    init(file: String, locator: KeyLocator) {
        self.file = file
        self.locator = locator
    }

    // MARK: Reporting

    mutating func report(
        _ kind: ConfigError.Kind, at path: ConfigKeyPath?, message: String, expected: String?, line: Int? = nil
    ) {
        let resolvedLine = line ?? path.flatMap { locator.nearestLine(for: $0) }
        errors.append(
            ConfigError(
                path: file, line: resolvedLine, key: path?.description, message: message, expected: expected, kind: kind))
    }

    /// "expected X, got Y (reason)".
    mutating func invalid(_ path: ConfigKeyPath, _ node: ConfigNode, expected: String, reason: String? = nil) {
        var message = "expected \(expected), got \(node.shortDescription)"
        if let reason { message += " (\(reason))" }
        report(.invalidValue, at: path, message: message, expected: expected)
    }

    mutating func wrongType(_ path: ConfigKeyPath, _ node: ConfigNode, expected: String) {
        report(.wrongType, at: path, message: "expected \(expected), got \(node.typeAndValue)", expected: expected)
    }

    mutating func missing(_ key: String, in table: ConfigKeyPath, expected: String) {
        let path = table.appending(key)
        report(
            .missingKey, at: path,
            message: "missing required key '\(key)' in \(Self.tableName(table)) (expected \(expected))",
            expected: expected, line: locator.nearestLine(for: table))
    }

    /// Reports every key of `entries` that is not in `allowed`.
    mutating func checkKeys(_ entries: Entries, at table: ConfigKeyPath, allowed: [String]) {
        for (key, _) in entries where !allowed.contains(key) {
            let expected = "one of: " + allowed.joined(separator: ", ")
            report(
                .unknownKey, at: table.appending(key),
                message: "unknown key '\(ConfigKeyPath.render(key: key))' in \(Self.tableName(table)) (expected \(expected))",
                expected: expected)
        }
    }

    static func tableName(_ table: ConfigKeyPath) -> String {
        if table.isRoot { return "the top-level table" }
        if case .index = table.components.last { return table.description }
        return "[\(table.description)]"
    }

    // MARK: Typed reads (nil when absent or already reported)

    static func value(_ key: String, in entries: Entries) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }

    /// A sub-table; reports a wrong type.
    mutating func table(_ key: String, in entries: Entries, at parent: ConfigKeyPath) -> Entries? {
        guard let node = Self.value(key, in: entries) else { return nil }
        guard case .table(let sub) = node else {
            wrongType(parent.appending(key), node, expected: "a table ([\(parent.appending(key))])")
            return nil
        }
        return sub
    }

    mutating func string(_ key: String, in entries: Entries, at table: ConfigKeyPath, expected: String = "a string")
        -> String?
    {
        guard let node = Self.value(key, in: entries) else { return nil }
        guard case .string(let value) = node else {
            wrongType(table.appending(key), node, expected: expected)
            return nil
        }
        return value
    }

    /// A string that must be non-empty.
    mutating func nonEmptyString(_ key: String, in entries: Entries, at table: ConfigKeyPath, expected: String)
        -> String?
    {
        guard let value = string(key, in: entries, at: table, expected: expected) else { return nil }
        guard !value.isEmpty else {
            invalid(table.appending(key), .string(value), expected: expected)
            return nil
        }
        return value
    }

    mutating func integer(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
        -> Int?
    {
        guard let node = Self.value(key, in: entries) else { return nil }
        let expected = "an integer \(range.lowerBound)...\(range.upperBound)"
        guard case .integer(let value) = node else {
            wrongType(table.appending(key), node, expected: expected)
            return nil
        }
        guard range.contains(Int64(value)) else {
            invalid(table.appending(key), node, expected: expected)
            return nil
        }
        return value
    }

    /// A string from a fixed set, e.g. an enum's raw values.
    mutating func choice<T: RawRepresentable>(
        _ key: String, in entries: Entries, at table: ConfigKeyPath, allowed: [T]
    ) -> T? where T.RawValue == String {
        let expected = "one of: " + allowed.map(\.rawValue).joined(separator: ", ")
        guard let text = string(key, in: entries, at: table, expected: "a string, " + expected) else { return nil }
        guard let value = allowed.first(where: { $0.rawValue == text }) else {
            invalid(table.appending(key), .string(text), expected: expected)
            return nil
        }
        return value
    }

    mutating func duration(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
        -> ConfigDuration?
    {
        guard let node = Self.value(key, in: entries) else { return nil }
        let path = table.appending(key)
        let bounds = "\(ConfigDuration(seconds: range.lowerBound))...\(ConfigDuration(seconds: range.upperBound))"
        let expected = ConfigDuration.expectedForm + ", \(bounds)"
        let parsed: ConfigDuration
        switch node {
        case .integer(let seconds):
            guard seconds >= 0 else {
                invalid(path, node, expected: expected, reason: "negative")
                return nil
            }
            parsed = ConfigDuration(seconds: Int64(seconds))
        case .string(let text):
            guard let value = ConfigDuration(parsing: text) else {
                invalid(path, node, expected: expected)
                return nil
            }
            parsed = value
        default:
            wrongType(path, node, expected: expected)
            return nil
        }
        guard range.contains(parsed.seconds) else {
            invalid(path, node, expected: expected, reason: "out of range")
            return nil
        }
        return parsed
    }

    mutating func size(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
        -> ByteSize?
    {
        guard let node = Self.value(key, in: entries) else { return nil }
        let path = table.appending(key)
        let bounds = "\(ByteSize(bytes: range.lowerBound))...\(ByteSize(bytes: range.upperBound))"
        let expected = ByteSize.expectedForm + ", \(bounds)"
        let parsed: ByteSize
        switch node {
        case .integer(let bytes):
            guard bytes >= 0 else {
                invalid(path, node, expected: expected, reason: "negative")
                return nil
            }
            parsed = ByteSize(bytes: Int64(bytes))
        case .string(let text):
            guard let value = ByteSize(parsing: text) else {
                invalid(path, node, expected: expected)
                return nil
            }
            parsed = value
        default:
            wrongType(path, node, expected: expected)
            return nil
        }
        guard range.contains(parsed.bytes) else {
            invalid(path, node, expected: expected, reason: "out of range")
            return nil
        }
        return parsed
    }
}
