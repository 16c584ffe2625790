import Foundation
import Monitor
import Queue
import Testing

/// The status line and perfdata grammar of the Monitoring Plugins development guidelines
/// (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Output" and "Performance data"),
/// written here independently of the renderer so that the checks' output is judged against the
/// guidelines and not against itself.
enum GuidelinesGrammar {
    /// `'label'=value[UOM];[warn];[crit];[min];[max]`, one item.
    struct Item: Equatable {
        var label: String
        var value: String
        var unit: String
        var fields: [String]  // warn, crit, min, max as written (possibly fewer)
    }

    static let units: Set<String> = ["", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"]

    /// value, min and max: `-`, digits and `.` only.
    static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0 == "-" || $0 == "." || ("0"..."9").contains($0) }
            && text.filter { $0 == "." }.count <= 1 && (text.firstIndex(of: "-").map { $0 == text.startIndex } ?? true)
            && text.contains(where: { ("0"..."9").contains($0) })
    }

    /// warn and crit: the range format `[@][start:][end]`, start may be `~`.
    static func isRange(_ text: Substring) -> Bool {
        var body = text
        if body.first == "@" { body = body.dropFirst() }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isNumber(parts[0])
        case 2: return (parts[0] == "~" || isNumber(parts[0])) && (parts[1].isEmpty || isNumber(parts[1]))
        default: return false
        }
    }

    /// Splits the text after `|` into items; nil when it does not follow the grammar.
    static func parse(_ perfdata: String) -> [Item]? {
        var items: [Item] = []
        var rest = Substring(perfdata)
        while !rest.isEmpty {
            var label = ""
            if rest.first == "'" {
                rest = rest.dropFirst()
                while true {
                    guard let c = rest.first else { return nil }
                    rest = rest.dropFirst()
                    if c == "'" {
                        if rest.first == "'" {
                            label.append("'")
                            rest = rest.dropFirst()
                        } else {
                            break
                        }
                    } else {
                        label.append(c)
                    }
                }
                guard rest.first == "=" else { return nil }
            } else {
                guard let eq = rest.firstIndex(of: "=") else { return nil }
                label = String(rest[..<eq])
                guard !label.isEmpty, !label.contains(" "), !label.contains("'") else { return nil }
                rest = rest[eq...]
            }
            rest = rest.dropFirst()  // "="
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            let body = rest[..<end]
            rest = rest[end...].drop { $0 == " " }
            let fields = body.split(separator: ";", omittingEmptySubsequences: false)
            guard fields.count <= 5 else { return nil }
            let valueAndUnit = fields[0]
            let numberEnd =
                valueAndUnit.firstIndex { !($0 == "-" || $0 == "." || ("0"..."9").contains($0)) }
                ?? valueAndUnit.endIndex
            let value = valueAndUnit[..<numberEnd]
            let unit = String(valueAndUnit[numberEnd...])
            guard isNumber(value), units.contains(unit) else { return nil }
            for (i, field) in fields.dropFirst().enumerated() where !field.isEmpty {
                guard i < 2 ? isRange(field) : isNumber(field) else { return nil }
            }
            items.append(Item(label: label, value: String(value), unit: unit, fields: fields.dropFirst().map(String.init)))
        }
        return items
    }

    /// `POSTA SERVICE STATUS - text[ | perfdata]`: the service, the status word and the items.
    static func parseLine(_ line: String) -> (service: String, status: String, text: String, perfdata: [Item])? {
        guard !line.contains("\n") else { return nil }
        let halves = line.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let head = halves[0]
        let words = head.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard words.count == 4, words[0] == "POSTA", words[1].allSatisfy({ $0.isUppercase || $0.isNumber }),
            ["OK", "WARNING", "CRITICAL", "UNKNOWN"].contains(words[2]), words[3].hasPrefix("- ")
        else { return nil }
        var text = String(words[3].dropFirst(2))
        var items: [Item] = []
        if halves.count == 2 {
            guard text.hasSuffix(" "), halves[1].hasPrefix(" ") else { return nil }
            text.removeLast()
            guard let parsed = parse(String(halves[1].dropFirst())) else { return nil }
            items = parsed
        }
        return (String(words[1]), String(words[2]), text, items)
    }
}

@Suite struct PluginOutputTests {
    @Test func queueLineMatchesTheIssueAndTheGrammar() throws {
        let result = QueueCheck.result(QueueCounts(active: 222, deferred: 1500, held: 12))
        #expect(result.status == .warning && result.exitCode == 1)
        #expect(
            result.line
                == "POSTA QUEUE WARNING - 1734 messages (222 active, 1500 deferred, 12 held) | total=1734;1500;2500;0 active=222;;;0 deferred=1500;;;0 held=12;;;0 other=0;;;0"
        )
        let parsed = try #require(GuidelinesGrammar.parseLine(result.line))
        #expect(parsed.service == "QUEUE" && parsed.status == "WARNING")
        #expect(parsed.perfdata[0] == .init(label: "total", value: "1734", unit: "", fields: ["1500", "2500", "0"]))
        #expect(QueueCheck.result(QueueCounts(deferred: 2500)).status == .warning)  // endpoints are inside
        #expect(QueueCheck.result(QueueCounts(deferred: 2501)).status == .critical)
        #expect(
            QueueCheck.result(QueueCounts()).line
                == "POSTA QUEUE OK - 0 messages | total=0;1500;2500;0 active=0;;;0 deferred=0;;;0 held=0;;;0 other=0;;;0")
    }

    @Test func labelsAreQuotedAndTrailingFieldsDropped() throws {
        let items = [
            Perfdata("plain", 1),
            Perfdata("with space", 2.5, unit: .seconds),
            Perfdata("a=b", 3, unit: .percent, max: 100),
            Perfdata("it's", -0.125, unit: .bytes, thresholds: Thresholds(warning: try ThresholdRange(parsing: "@10:20"))),
            Perfdata("c", 7, unit: .counter, thresholds: Thresholds(critical: try ThresholdRange(parsing: "~:10"))),
        ]
        #expect(
            items.map(\.description) == [
                "plain=1", "'with space'=2.5s", "'a=b'=3%;;;;100", "'it''s'=-0.125B;@10:20", "c=7c;;~:10",
            ])
        let line = PluginResult(service: "TEST", status: .ok, text: "all | fine\nreally", perfdata: items).line
        let parsed = try #require(GuidelinesGrammar.parseLine(line))
        #expect(parsed.text == "all / fine really")
        #expect(parsed.perfdata.map(\.label) == ["plain", "with space", "a=b", "it's", "c"])
        #expect(parsed.perfdata.map(\.unit) == ["", "s", "%", "B", "c"])
        for unit in Perfdata.Unit.allCases {
            #expect(GuidelinesGrammar.parse(Perfdata("x", 1, unit: unit).description) != nil, "\(unit)")
        }
        // Numbers never use exponents, whatever their size.
        #expect(Perfdata("big", 1e20).description == "big=100000000000000000000")
        #expect(Perfdata("tiny", 0.0000004).description == "tiny=0")
        #expect(Perfdata("tenth", 0.1).description == "tenth=0.1")
        #expect(GuidelinesGrammar.parse(Perfdata("big", 1e20).description) != nil)
    }

    @Test func everyCheckRendersTheGrammar() throws {
        let lines = [
            DiskCheck.result(
                DiskUsage(totalBytes: 100e9, freeBytes: 15e9, usedBytes: 80e9, totalInodes: 1000, freeInodes: 50),
                path: "/var/posta"
            ).line,
            LoadCheck.result(
                [0.5, 12.25, 3], warning: try LoadCheck.ranges("15,10,5"), critical: try LoadCheck.ranges("30,25,20")
            ).line,
            ClusterCheck.result([], now: 0).line,
            PluginResult.unknown("SMTP", "timed out after 10 s").line,
        ]
        for line in lines { #expect(GuidelinesGrammar.parseLine(line) != nil, "\(line)") }
        let disk = try #require(GuidelinesGrammar.parseLine(lines[0]))
        #expect(disk.status == "CRITICAL")  // 5 % inodes free
        #expect(disk.text == "/var/posta: 15.8 % free (14 GiB of 93.1 GiB), 5 % inodes free")
        #expect(disk.perfdata.map(\.label) == ["free", "free_pct", "inodes_free_pct"])
        #expect(disk.perfdata[1].fields == ["20:", "10:", "0", "100"])
        let load = try #require(GuidelinesGrammar.parseLine(lines[1]))
        #expect(load.status == "WARNING" && load.text == "load average: 0.5, 12.25, 3")
    }
}

@Suite struct ThresholdRangeTests {
    /// The guidelines' table: text → values that alert and values that do not.
    @Test(arguments: [
        ("10", [-0.5, 10.1, 11], [0, 5, 10]),
        ("10:", [9.99, 0, -1], [10, 11, 1e9]),
        ("~:10", [10.01, 11], [-1e9, 0, 10]),
        ("10:20", [9.9, 20.1, 0], [10, 15, 20]),
        ("@10:20", [10, 15, 20], [9.9, 20.1]),
        ("@10", [0, 10], [-1, 10.5]),
        ("-5:-1", [0, -6], [-5, -1]),
        ("0.5:1.5", [0.4, 1.6], [0.5, 1.5]),
        ("@~:0", [-3, 0], [0.1]),
        ("5:5", [4.9, 5.1], [5]),
    ])
    func alertsOutsideOrInside(_ text: String, _ alert: [Double], _ quiet: [Double]) throws {
        let range = try ThresholdRange(parsing: text)
        for v in alert { #expect(range.alerts(v), "\(text) should alert at \(v)") }
        for v in quiet { #expect(!range.alerts(v), "\(text) should not alert at \(v)") }
        #expect(try ThresholdRange(parsing: range.description) == range)
    }

    @Test func canonicalText() throws {
        #expect(try ThresholdRange(parsing: "10").description == "10")
        #expect(try ThresholdRange(parsing: "0:10").description == "10")
        #expect(try ThresholdRange(parsing: "10:").description == "10:")
        #expect(try ThresholdRange(parsing: "~:10").description == "~:10")
        #expect(try ThresholdRange(parsing: "@10:20").description == "@10:20")
        #expect(try ThresholdRange(parsing: ".5").end == 0.5)
    }

    @Test(arguments: [
        "", "@", ":", ":10", "~", "abc", "10:5", "1e3", "inf", "10:20:30", "+5", " 5", "5 ", "1..2", "--1", "@@1",
        "nan", "1-", String(repeating: "1", count: 100),
    ])
    func badSyntaxIsAnError(_ text: String) {
        #expect(throws: ThresholdRange.SyntaxError.self) { try ThresholdRange(parsing: text) }
    }

    @Test func certificateDaysAndLoadTriplets() throws {
        #expect(try CertificateCheck.daysRange("30") == ThresholdRange(start: 30, end: nil))
        #expect(try CertificateCheck.daysRange("@0:3").inverted)
        #expect(throws: ThresholdRange.SyntaxError.self) { try CertificateCheck.daysRange("x") }
        #expect(try LoadCheck.ranges("5").count == 3)
        #expect(try LoadCheck.ranges("5,4,3").map(\.end) == [5, 4, 3])
        #expect(throws: ThresholdRange.SyntaxError.self) { try LoadCheck.ranges("5,4") }
        #expect(throws: ThresholdRange.SyntaxError.self) { try LoadCheck.ranges("5,,3") }
        let thresholds = Thresholds(warning: try ThresholdRange(parsing: "1"), critical: try ThresholdRange(parsing: "2"))
        #expect([0.5, 1.5, 2.5].map(thresholds.status(of:)) == [.ok, .warning, .critical])
    }
}
