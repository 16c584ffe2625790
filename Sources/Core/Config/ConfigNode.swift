import TOMLKit

/// A parsed TOML value, copied out of TOMLKit into a plain Sendable tree.
package indirect enum ConfigNode: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// Dates, times and date-times, kept as their TOML text (the schema has none).
    case dateTime(String)
    case array([ConfigNode])
    /// Keys in TOMLKit's order (sorted); errors are sorted by line afterwards anyway.
    case table([(key: String, value: ConfigNode)])

    package static func == (lhs: ConfigNode, rhs: ConfigNode) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.dateTime(let a), .dateTime(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.table(let a), .table(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// Parses TOML text; syntax errors carry TOMLKit's line and column.
    package static func parse(_ text: String) throws(TOMLParseError) -> ConfigNode {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw error
        } catch {
            // TOMLTable(string:) only throws TOMLParseError.
            preconditionFailure("unexpected TOMLKit error: \(error)")
        }
        return ConfigNode(table)
    }

    package init(_ table: TOMLTable) {
        var entries: [(key: String, value: ConfigNode)] = []
        for (key, value) in table {
            entries.append((key, ConfigNode(value)))
        }
        self = .table(entries)
    }

    package init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .date: self = .dateTime(value.date?.debugDescription ?? "date")
        case .time: self = .dateTime(value.time?.debugDescription ?? "time")
        case .dateTime: self = .dateTime(value.dateTime?.debugDescription ?? "date-time")
        case .array:
            var elements: [ConfigNode] = []
            if let array = value.array {
                for element in array { elements.append(ConfigNode(element)) }
            }
            self = .array(elements)
        case .table:
            if let table = value.table {
                self = ConfigNode(table)
            } else {
                self = .table([])
            }
        }
    }

    /// "a string", "an integer", … for "expected …, got …" messages.
    package var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a floating-point number"
        case .boolean: return "a boolean"
        case .dateTime: return "a date/time"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// The value as it would appear in TOML, abbreviated for containers.
    package var shortDescription: String {
        switch self {
        case .string(let s): return ConfigNode.quoted(s)
        case .integer(let i): return String(i)
        case .float(let d): return String(d)
        case .boolean(let b): return b ? "true" : "false"
        case .dateTime(let s): return s
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// "a string (\"x\")", "an integer (25)", "a table".
    package var typeAndValue: String {
        switch self {
        case .array, .table: return typeName
        default: return "\(typeName) (\(shortDescription))"
        }
    }

    package static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
