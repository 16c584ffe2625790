/// Writes a tree as HTML (after WHATWG HTML §13.3 "serializing HTML fragments"), so that parsing the
/// output gives the same tree back for the trees the sanitiser produces.
///
/// Differences from §13.3, all towards escaping more: text escapes `&`, `<` and `>` in every element
/// (the sanitiser keeps no raw text elements, so none is written raw), attribute values escape `&`, `"`,
/// `<` and `>`, and a carriage return is written as `&#13;` in both (a raw one would come back as LF,
/// §13.2.3.5). U+00A0 is written as the character. Comments are written as `<!--…-->` with any `--`
/// and a leading `>` or `->` (which would end them early) defused.
public enum HTMLSerializer {
    public static func serialize(_ nodes: [HTMLNode]) -> String {
        var output: [UInt8] = []
        for node in nodes { write(node, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    public static func serialize(_ document: HTMLDocument) -> String {
        serialize(document.children)
    }

    private static func write(_ node: HTMLNode, into output: inout [UInt8]) {
        switch node {
        case .text(let text):
            escape(text, attribute: false, into: &output)
        case .comment(let text):
            output.append(contentsOf: "<!--".utf8)
            var body = text.replacing("--", with: "- -")
            if body.hasPrefix(">") || body.hasPrefix("->") { body = " " + body }
            if body.hasSuffix("-") { body += " " }
            output.append(contentsOf: body.utf8)
            output.append(contentsOf: "-->".utf8)
        case .element(let element):
            output.append(0x3C)
            output.append(contentsOf: element.name.utf8)
            for attribute in element.attributes {
                output.append(0x20)
                output.append(contentsOf: attribute.name.utf8)
                output.append(contentsOf: "=\"".utf8)
                escape(attribute.value, attribute: true, into: &output)
                output.append(0x22)
            }
            output.append(0x3E)
            if HTMLElementKinds.void.contains(element.name) { return }
            // §13.3: the parser drops a newline right after these start tags, so one is added.
            if ["pre", "textarea", "listing"].contains(element.name), case .text(let first)? = element.children.first,
                first.utf8.first == 0x0A
            {
                output.append(0x0A)
            }
            for child in element.children { write(child, into: &output) }
            output.append(contentsOf: "</".utf8)
            output.append(contentsOf: element.name.utf8)
            output.append(0x3E)
        }
    }

    private static func escape(_ text: String, attribute: Bool, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x26: output.append(contentsOf: "&amp;".utf8)
            case 0x3C: output.append(contentsOf: "&lt;".utf8)
            case 0x3E: output.append(contentsOf: "&gt;".utf8)
            case 0x22 where attribute: output.append(contentsOf: "&quot;".utf8)
            case 0x0D: output.append(contentsOf: "&#13;".utf8)
            default: output.append(byte)
            }
        }
    }
}
