import Foundation
import Testing

@testable import HTML

/// docs/html-sanitiser.md lists the corpus and the allowlists; it cannot drift from them.
@Suite struct DocsTests {
    static let page: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/html-sanitiser.md")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func everyCorpusFileIsListed() throws {
        #expect(!Self.page.isEmpty)
        for (name, _) in try HostileCorpusTests.corpus() {
            let listed = String(name.dropLast(".html".count))
            #expect(Self.page.contains(listed), "\(listed) missing from docs/html-sanitiser.md")
        }
    }

    @Test func everyKeptAndDroppedElementIsNamed() {
        let words = Set(Self.page.split { !$0.isLetter && !$0.isNumber }.map(String.init))
        for element in SanitizerPolicy.kept.union(SanitizerPolicy.dropped)
        where !(element.count == 2 && element.hasPrefix("h") && element != "hr") {
            #expect(words.contains(element), "\(element) not in docs/html-sanitiser.md")
        }
        for function in CSSFilter.functions {
            #expect(Self.page.contains(function), "\(function) not in docs/html-sanitiser.md")
        }
    }
}
