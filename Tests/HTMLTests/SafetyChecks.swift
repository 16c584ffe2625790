import Testing

@testable import HTML

/// The properties every sanitiser output must have, checked on the tree a parser builds from it.
enum SafetyChecks {
    static let urlAttributes: Set<String> = ["href", "src", "background"]

    /// Records an issue for each unsafe thing in `html`.
    static func expectSafe(_ html: String, context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.lowercased().contains("<script"), "\(context): <script", sourceLocation: sourceLocation)
        func visit(_ nodes: [HTMLNode]) {
            for case .element(let element) in nodes {
                #expect(
                    SanitizerPolicy.kept.contains(element.name), "\(context): element \(element.name)",
                    sourceLocation: sourceLocation)
                for attribute in element.attributes {
                    #expect(
                        !attribute.name.hasPrefix("on") && attribute.name != "id" && attribute.name != "name"
                            && attribute.name != "srcset" && !attribute.name.contains(":"),
                        "\(context): attribute \(attribute.name)", sourceLocation: sourceLocation)
                    let value = attribute.value.lowercased()
                    if urlAttributes.contains(attribute.name) {
                        let scheme = URLFilter.scheme(of: URLFilter.clean(value))
                        #expect(
                            ["http", "https", "mailto", "data"].contains(scheme ?? "")
                                && !value.hasPrefix("data:text") && !(scheme == "data" && attribute.name == "href"),
                            "\(context): URL \(attribute.value)", sourceLocation: sourceLocation)
                    }
                    if attribute.name == "style" {
                        for bad in [
                            "fixed", "absolute", "sticky", "expression", "javascript", "vbscript", "binding", "behavior",
                            "@import", "z-index", "var(", "image-set",
                        ] {
                            #expect(!value.contains(bad), "\(context): style \(attribute.value)", sourceLocation: sourceLocation)
                        }
                    }
                }
                visit(element.children)
            }
        }
        visit(HTMLParser.parse(html).children)
    }
}
