import ArgumentParser
import Lists

/// `posta list parse-bounce FILE…`: what the bounce parser makes of saved bounce messages; no site needed.
struct ListBounceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-bounce", abstract: "Show which addresses a bounce message reports as failed.",
        discussion: "Each FILE is one whole message (an mbox `From ` first line is skipped). Permanent failures are "
            + "what a list counts against a member; temporary ones are delay warnings.")

    @Argument(help: "Bounce messages, one per file.") var files: [String]
    @Flag(help: "Print JSON: one object per file (file, detector, permanent, temporary, truncated).") var json = false

    /// What one file reports.
    struct Row: Encodable {
        var file: String
        var detector: String?
        var permanent: [String]
        var temporary: [String]
        var truncated: Bool

        /// `detector` is written as null when no format matched, so every object has the same keys.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(detector, forKey: .detector)
            try container.encode(permanent, forKey: .permanent)
            try container.encode(temporary, forKey: .temporary)
            try container.encode(truncated, forKey: .truncated)
        }

        private enum CodingKeys: String, CodingKey { case file, detector, permanent, temporary, truncated }
    }

    func run() async throws {
        var rows: [Row] = []
        for file in files {
            // Read a little more than the parser looks at, so that it can say it stopped early.
            let bytes = try ImportFile.read(file, limit: 64 << 20)
            let report = BounceParser.parse(bytes)
            rows.append(
                Row(
                    file: file, detector: report.detector?.rawValue, permanent: report.permanent.map(\.description),
                    temporary: report.temporary.map(\.description), truncated: report.truncated))
        }
        if json {
            try Output.json(rows)
        } else {
            Output.table(
                ["FILE", "DETECTOR", "PERMANENT", "TEMPORARY"],
                rows.map { row in
                    [
                        row.file, row.detector ?? "-", row.permanent.joined(separator: ",").nonEmpty ?? "-",
                        row.temporary.joined(separator: ",").nonEmpty ?? "-",
                    ]
                })
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
