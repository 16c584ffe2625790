import Foundation
import Testing

@testable import HTML

/// Every vector of Resources/hostile (an attack that would run or load in an unsanitised page) comes out
/// harmless. The webmail's browser test renders the same files.
@Suite struct HostileCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Resources/hostile")

    static func corpus() throws -> [(name: String, html: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html") }.sorted()
        return try names.map { name in
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            return (name, String(decoding: data, as: UTF8.self))
        }
    }

    @Test func corpusHasTheVectorsTheTaskNames() throws {
        #expect(try Self.corpus().count >= 60)
    }

    @Test func everyVectorIsHarmless() throws {
        let sanitizer = HTMLSanitizer()
        for (name, html) in try Self.corpus() {
            let output = sanitizer.sanitize(html).html
            SafetyChecks.expectSafe(output, context: name)
            // Not even as text: only the charset vectors (UTF-7, overlong UTF-8) show their script as text.
            let textOnly = name.contains("utf7") || name.contains("overlong")
            for needle in ["javascript:", "vbscript:", "data:text", "onerror"] + (textOnly ? [] : ["alert("]) {
                #expect(!output.lowercased().contains(needle), "\(name): \(needle) in \(output)")
            }
            #expect(sanitizer.sanitize(output).html == output, "\(name) not stable")
        }
    }

    @Test func remoteImagesAreBlockedAndReported() throws {
        let corpus = try Self.corpus()
        for name in [
            "img-remote", "img-protocol-relative", "background-attribute", "style-url-remote", "css-protocol-relative",
        ] {
            let html = try #require(corpus.first { $0.name.contains(name) }).html
            let result = HTMLSanitizer().sanitize(html)
            #expect(result.blockedRemoteContent, "\(name)")
            #expect(!result.html.contains("tracker.example"), "\(name)")
        }
    }

    @Test func textAroundTheAttacksIsKept() throws {
        let corpus = try Self.corpus()
        let expectations = [
            "script-plain": "<p>Hello</p>", "body-onload": "<p>text</p>", "iframe-srcdoc": "<p>after</p>",
            "style-block-img": "<p>after</p>", "comment-unclosed": "<p>a</p>",
            "utf7": "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
            "style-position-fixed": "background: #fff\">Your session expired</div>",
            "a-onclick": "<a href=\"https://example.com/\" target=\"_blank\" rel=\"noreferrer noopener\">link</a>",
        ]
        for (name, expected) in expectations {
            let html = try #require(corpus.first { $0.name.hasSuffix("-\(name).html") }).html
            let output = HTMLSanitizer().sanitize(html).html
            #expect(output.contains(expected), "\(name): \(output)")
        }
    }
}
