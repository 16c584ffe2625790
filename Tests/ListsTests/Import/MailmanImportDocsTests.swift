import Foundation
import Testing

@testable import Lists

/// docs/lists.md "Import from Mailman" names every Mailman setting the import maps; the tables
/// cannot drift from the code.
@Suite struct MailmanImportDocsTests {
    static func page() throws -> String {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/lists.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let start = text.range(of: "## Import from Mailman") else { return "" }
        return String(text[start.lowerBound...])
    }

    @Test func everyMappedSettingIsDocumented() throws {
        let page = try Self.page()
        let config = try JSONValue.decode(Array(Mailman3Samples.config.utf8), what: "sample")
        guard case .object(let pairs) = config else { throw MailmanImportError("sample is no object") }
        var mailman3 = Mailman3Export.Mapper(
            values: Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        mailman3.map()
        #expect(mailman3.used.count > 20)
        for name in mailman3.used {
            #expect(page.contains("`\(name)`"), "Mailman 3's \(name) missing from docs/lists.md")
        }
        let dump = try PythonAssignments.parse(Array(MailmanImportTests.mailman21Config.utf8))
        var mailman21 = Mailman21Dump.Mapper(
            values: Dictionary(dump.assignments.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        mailman21.map()
        _ = mailman21.people(role: .owner, from: "owner")
        _ = mailman21.people(role: .moderator, from: "moderator")
        #expect(mailman21.used.count > 20)
        for name in mailman21.used {
            #expect(page.contains("`\(name)`"), "Mailman 2.1's \(name) missing from docs/lists.md")
        }
    }
}
