/// Walks a parsed document, reading typed values and collecting every problem with its line.
package struct ConfigReader {
    package typealias Entries = [(key: String, value: ConfigNode)]

    package let file: String
    package let locator: KeyLocator
    package private(set) var errors: [ConfigError] = []

    package init(file: String, locator: KeyLocator) {
        self.file = file
        self.locator = locator
    }

    // MARK: Reporting

    package mutating func report(
        _ kind: ConfigError.Kind, at path: ConfigKeyPath?, message: String, expected: String?, line: Int? = nil
    ) {
        let resolvedLine = line ?? path.flatMap { locator.nearestLine(for: $0) }
        errors.append(
            ConfigError(
                path: file, line: resolvedLine, key: path?.description, message: message, expected: expected, kind: kind))
    }

    /// "expected X, got Y (reason)".
    package mutating func invalid(_ path: ConfigKeyPath, _ node: ConfigNode, expected: String, reason: String? = nil) {
        var message = "expected \(expected), got \(node.shortDescription)"
        if let reason { message += " (\(reason))" }
        report(.invalidValue, at: path, message: message, expected: expected)
    }

    package mutating func wrongType(_ path: ConfigKeyPath, _ node: ConfigNode, expected: String) {
        report(.wrongType, at: path, message: "expected \(expected), got \(node.typeAndValue)", expected: expected)
    }

    package mutating func missing(_ key: String, in table: ConfigKeyPath, expected: String) {
        let path = table.appending(key)
        report(
            .missingKey, at: path,
            message: "missing required key '\(key)' in \(Self.tableName(table)) (expected \(expected))",
            expected: expected, line: locator.nearestLine(for: table))
    }

    /// Reports every key of `entries` that is not in `allowed`.
    package mutating func checkKeys(_ entries: Entries, at table: ConfigKeyPath, allowed: [String]) {
        for (key, _) in entries where !allowed.contains(key) {
            let expected = "one of: " + allowed.joined(separator: ", ")
            report(
                .unknownKey, at: table.appending(key),
                message: "unknown key '\(ConfigKeyPath.render(key: key))' in \(Self.tableName(table)) (expected \(expected))",
                expected: expected)
        }
    }

    package static func tableName(_ table: ConfigKeyPath) -> String {
        if table.isRoot { return "the top-level table" }
        if case .index = table.components.last { return table.description }
        return "[\(table.description)]"
    }

    // MARK: Typed reads (nil when absent or already reported)

    package static func value(_ key: String, in entries: Entries) -> ConfigNode? {
        entries.first { $0.key == key }?.value
    }

    /// A sub-table; reports a wrong type.
    package mutating func table(_ key: String, in entries: Entries, at parent: ConfigKeyPath) -> Entries? {
        guard let node = Self.value(key, in: entries) else { return nil }
        guard case .table(let sub) = node else {
            wrongType(parent.appending(key), node, expected: "a table ([\(parent.appending(key))])")
            return nil
        }
        return sub
    }

    package mutating func string(_ key: String, in entries: Entries, at table: ConfigKeyPath, expected: String = "a string")
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
    package mutating func nonEmptyString(_ key: String, in entries: Entries, at table: ConfigKeyPath, expected: String)
        -> String?
    {
        guard let value = string(key, in: entries, at: table, expected: expected) else { return nil }
        guard !value.isEmpty else {
            invalid(table.appending(key), .string(value), expected: expected)
            return nil
        }
        return value
    }

    /// A mail address (RFC 5321 `Mailbox`), as written.
    package mutating func mailAddress(_ key: String, in entries: Entries, at table: ConfigKeyPath) -> String? {
        let expected = "a mail address, e.g. \"postmaster@example.org\""
        guard let text = nonEmptyString(key, in: entries, at: table, expected: expected) else { return nil }
        guard (try? MailAddress(parsing: text)) != nil else {
            invalid(table.appending(key), .string(text), expected: expected)
            return nil
        }
        return text
    }

    package mutating func integer(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
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
    package mutating func choice<T: RawRepresentable>(
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

    package mutating func duration(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
        -> ConfigDuration?
    {
        quantity(
            key, in: entries, at: table, range: range, expectedForm: ConfigDuration.expectedForm,
            make: ConfigDuration.init(seconds:), parse: ConfigDuration.init(parsing:), magnitude: \.seconds)
    }

    package mutating func size(_ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>)
        -> ByteSize?
    {
        quantity(
            key, in: entries, at: table, range: range, expectedForm: ByteSize.expectedForm, make: ByteSize.init(bytes:),
            parse: ByteSize.init(parsing:), magnitude: \.bytes)
    }

    package mutating func boolean(_ key: String, in entries: Entries, at table: ConfigKeyPath) -> Bool? {
        guard let node = Self.value(key, in: entries) else { return nil }
        guard case .boolean(let value) = node else {
            wrongType(table.appending(key), node, expected: "true or false")
            return nil
        }
        return value
    }

    /// An array of strings, each passing `valid` (the others are reported one by one).
    package mutating func strings(
        _ key: String, in entries: Entries, at table: ConfigKeyPath, expected: String, valid: (String) -> Bool
    ) -> [String] {
        guard let node = Self.value(key, in: entries) else { return [] }
        guard case .array(let items) = node else {
            wrongType(table.appending(key), node, expected: expected)
            return []
        }
        var values: [String] = []
        for item in items {
            guard case .string(let text) = item, valid(text) else {
                invalid(table.appending(key), item, expected: expected)
                continue
            }
            values.append(text)
        }
        return values
    }

    /// An array of DNS names, lower-cased (`require_tls`, `verify_tls`).
    package mutating func domains(_ key: String, in entries: Entries, at path: ConfigKeyPath) -> [String] {
        let form = "an array of domain names, e.g. [\"example.com\"]"
        return strings(key, in: entries, at: path, expected: form, valid: HostSyntax.isValidDNSName).map { $0.lowercased() }
    }

    /// A non-empty string starting with "/"; nil (with the error) otherwise.
    package mutating func absolutePath(_ key: String, in entries: Entries, at path: ConfigKeyPath, expected: String) -> String? {
        guard let file = nonEmptyString(key, in: entries, at: path, expected: expected) else { return nil }
        guard file.hasPrefix("/") else {
            if let node = Self.value(key, in: entries) { invalid(path.appending(key), node, expected: expected) }
            return nil
        }
        return file
    }

    /// A value written as a non-negative integer or as a string with a unit (durations, sizes),
    /// checked against `range` (in the integer unit).
    private mutating func quantity<Q: CustomStringConvertible>(
        _ key: String, in entries: Entries, at table: ConfigKeyPath, range: ClosedRange<Int64>, expectedForm: String,
        make: (Int64) -> Q, parse: (String) -> Q?, magnitude: (Q) -> Int64
    ) -> Q? {
        guard let node = Self.value(key, in: entries) else { return nil }
        let path = table.appending(key)
        let expected = expectedForm + ", \(make(range.lowerBound))...\(make(range.upperBound))"
        let parsed: Q
        switch node {
        case .integer(let number):
            guard number >= 0 else {
                invalid(path, node, expected: expected, reason: "negative")
                return nil
            }
            parsed = make(Int64(number))
        case .string(let text):
            guard let value = parse(text) else {
                invalid(path, node, expected: expected)
                return nil
            }
            parsed = value
        default:
            wrongType(path, node, expected: expected)
            return nil
        }
        guard range.contains(magnitude(parsed)) else {
            invalid(path, node, expected: expected, reason: "out of range")
            return nil
        }
        return parsed
    }
}
