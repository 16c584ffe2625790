/// The HTML tokenizer (WHATWG HTML §13.2.5), over UTF-8 bytes: every byte the syntax looks at is
/// ASCII, so other bytes pass through untouched.
///
/// The tree builder switches `state` after a start tag the way §13.2.6.4.7 does (title and textarea:
/// RCDATA; style, xmp, iframe, noembed, noframes, noscript: RAWTEXT; script: script data; plaintext:
/// PLAINTEXT) and sets `allowsCDATA` while inside SVG or MathML.
///
/// Simplifications, none of which changes where a tag starts in data state:
/// - a DOCTYPE is read to its `>` and reported without its name and identifiers;
/// - parse errors are not reported.
struct HTMLTokenizer {
    enum State: Equatable {
        case data, rcdata, rawtext, scriptData, plaintext
    }

    var state = State.data
    /// The tag name whose end tag leaves RCDATA, RAWTEXT or script data ("appropriate end tag", §13.2.5.9).
    var lastStartTag: [UInt8] = []
    /// In foreign content `<![CDATA[…]]>` is text (§13.2.5.42); elsewhere a bogus comment.
    var allowsCDATA = false

    private let input: [UInt8]
    private(set) var position = 0

    /// `bytes` is the document, CR and CRLF already turned into LF (§13.2.3.5; `HTMLParser` does this).
    init(_ bytes: [UInt8]) {
        input = bytes
    }

    /// The next token, or nil at the end of the input.
    mutating func next() -> HTMLToken? {
        var text: [UInt8] = []
        if state == .scriptData, !isAppropriateEndTag(at: position) { return scriptDataText() }
        while position < input.count {
            let byte = input[position]
            switch byte {
            case 0x3C:  // "<"
                if state == .plaintext { break }
                if state != .data {
                    guard isAppropriateEndTag(at: position) else { break }
                    if !text.isEmpty { return .text(text) }
                    state = .data
                    if let token = readTag(nameStart: position + 2, isEnd: true) { return token }
                    continue
                }
                if !startsMarkup(at: position) { break }
                if !text.isEmpty { return .text(text) }
                switch tagOpen() {
                case .token(let token): return token
                case .skipped: continue
                case .text: break
                }
            case 0x26 where state == .data || state == .rcdata:  // "&" (§13.2.5.72)
                position = CharacterReferences.consume(input, at: position, inAttribute: false, into: &text)
                continue
            case 0x00:
                // §13.2.6.4.7: the tree builder ignores NUL in data; raw text states replace it (§13.2.5.2).
                if state != .data { text.append(contentsOf: replacementCharacterUTF8) }
                position += 1
                continue
            default:
                break
            }
            text.append(byte)
            position += 1
        }
        return text.isEmpty ? nil : .text(text)
    }

    /// §13.2.5.4 and §13.2.5.15–§13.2.5.31: a script's text up to its end tag, through the escaped
    /// (`<!--`) and double-escaped (`<!--<script>`) states, in which a `</script>` inside the inner
    /// script does not end the outer one.
    private mutating func scriptDataText() -> HTMLToken? {
        enum Escape { case none, escaped, escapedDash, escapedDashDash, double, doubleDash, doubleDashDash }
        var escape = Escape.none
        var text: [UInt8] = []
        while position < input.count {
            let byte = input[position]
            switch (escape, byte) {
            case (.none, 0x3C):
                if isAppropriateEndTag(at: position) { return .text(text) }
                if hasPrefix("<!--", at: position) {
                    text.append(contentsOf: "<!--".utf8)
                    position += 4
                    escape = .escapedDashDash
                    continue
                }
            case (.escaped, 0x3C), (.escapedDash, 0x3C), (.escapedDashDash, 0x3C):
                if isAppropriateEndTag(at: position) { return .text(text) }
                escape = startsScriptTag(at: position + 1) ? .double : .escaped
            case (.double, 0x3C), (.doubleDash, 0x3C), (.doubleDashDash, 0x3C):
                escape =
                    input.count > position + 1 && input[position + 1] == 0x2F && startsScriptTag(at: position + 2)
                    ? .escaped : .double
            case (.escaped, 0x2D): escape = .escapedDash
            case (.escapedDash, 0x2D): escape = .escapedDashDash
            case (.double, 0x2D): escape = .doubleDash
            case (.doubleDash, 0x2D): escape = .doubleDashDash
            case (.escapedDashDash, 0x3E), (.doubleDashDash, 0x3E): escape = .none
            case (.escapedDashDash, 0x2D), (.doubleDashDash, 0x2D), (.none, _): break
            case (.escapedDash, _), (.escapedDashDash, _): escape = .escaped
            case (.doubleDash, _), (.doubleDashDash, _): escape = .double
            case (.escaped, _), (.double, _): break
            }
            if byte == 0 { text.append(contentsOf: replacementCharacterUTF8) } else { text.append(byte) }
            position += 1
        }
        return text.isEmpty ? nil : .text(text)
    }

    /// `script` (any case) followed by whitespace, `/` or `>` at `start` (§13.2.5.28, §13.2.5.31).
    private func startsScriptTag(at start: Int) -> Bool {
        guard start + 6 < input.count, hasPrefix("script", at: start, caseInsensitive: true) else { return false }
        let after = input[start + 6]
        return after.isHTMLWhitespace || after == 0x2F || after == 0x3E
    }

    private enum TagOpenResult {
        case token(HTMLToken)
        /// Consumed and produced nothing (`</>`, a tag cut off by the end of the input).
        case skipped
        /// The `<` is text.
        case text
    }

    /// Whether the `<` at `start` opens a tag, comment or declaration (else it is text, §13.2.5.6).
    private func startsMarkup(at start: Int) -> Bool {
        guard start + 1 < input.count else { return false }
        let next = input[start + 1]
        if next == 0x2F { return start + 2 < input.count }
        return next.isASCIIAlpha || next == 0x21 || next == 0x3F
    }

    /// §13.2.5.6 tag open state, at a `<` in data state.
    private mutating func tagOpen() -> TagOpenResult {
        let start = position
        guard start + 1 < input.count else { return .text }
        let next = input[start + 1]
        if next.isASCIIAlpha {
            if let token = readTag(nameStart: start + 1, isEnd: false) { return .token(token) }
            return .skipped
        }
        switch next {
        case 0x2F:  // "/" (§13.2.5.7 end tag open)
            guard start + 2 < input.count else { return .text }
            let after = input[start + 2]
            if after.isASCIIAlpha {
                if let token = readTag(nameStart: start + 2, isEnd: true) { return .token(token) }
                return .skipped
            }
            if after == 0x3E {
                position = start + 3
                return .skipped
            }
            return .token(bogusComment(from: start + 2))
        case 0x21:  // "!" (§13.2.5.42 markup declaration open)
            return .token(markupDeclaration(at: start + 2))
        case 0x3F:  // "?" (§13.2.5.6: a processing instruction is a bogus comment, "?" included)
            return .token(bogusComment(from: start + 1))
        default:
            return .text
        }
    }

    /// §13.2.5.11/14/17: `</name` followed by whitespace, `/` or `>`, where name is the open raw text tag.
    private func isAppropriateEndTag(at start: Int) -> Bool {
        guard start + 1 < input.count, input[start + 1] == 0x2F, !lastStartTag.isEmpty else { return false }
        let nameEnd = start + 2 + lastStartTag.count
        guard nameEnd < input.count else { return false }
        for (offset, expected) in lastStartTag.enumerated() where input[start + 2 + offset].asciiLowercased != expected {
            return false
        }
        let after = input[nameEnd]
        return after.isHTMLWhitespace || after == 0x2F || after == 0x3E
    }

    /// §13.2.5.8 tag name through §13.2.5.40 self-closing start tag. Returns nil, having consumed the rest
    /// of the input, when the input ends inside the tag (§13.2.5.8 eof-in-tag: the tag is not emitted).
    private mutating func readTag(nameStart: Int, isEnd: Bool) -> HTMLToken? {
        var position = nameStart
        var name: [UInt8] = []
        while position < input.count {
            let byte = input[position]
            if byte.isHTMLWhitespace || byte == 0x2F || byte == 0x3E { break }
            if byte == 0 { name.append(contentsOf: replacementCharacterUTF8) } else { name.append(byte.asciiLowercased) }
            position += 1
        }
        var attributes: [HTMLAttribute] = []
        var attributeNames: Set<String> = []
        var selfClosing = false
        while true {
            // §13.2.5.32 before attribute name.
            while position < input.count, input[position].isHTMLWhitespace { position += 1 }
            guard position < input.count else { return endOfInputInTag() }
            if input[position] == 0x3E {
                position += 1
                break
            }
            if input[position] == 0x2F {
                // §13.2.5.40: "/>" self-closes; a lone "/" is ignored.
                position += 1
                if position < input.count, input[position] == 0x3E {
                    selfClosing = true
                    position += 1
                    break
                }
                continue
            }
            // §13.2.5.33 attribute name: a leading "=" belongs to the name.
            var attributeName: [UInt8] = []
            if input[position] == 0x3D {
                attributeName.append(0x3D)
                position += 1
            }
            while position < input.count {
                let byte = input[position]
                if byte.isHTMLWhitespace || byte == 0x2F || byte == 0x3E || byte == 0x3D { break }
                if byte == 0 {
                    attributeName.append(contentsOf: replacementCharacterUTF8)
                } else {
                    attributeName.append(byte.asciiLowercased)
                }
                position += 1
            }
            // §13.2.5.34 after attribute name.
            while position < input.count, input[position].isHTMLWhitespace { position += 1 }
            guard position < input.count else { return endOfInputInTag() }
            var value: [UInt8] = []
            if input[position] == 0x3D {
                position += 1
                while position < input.count, input[position].isHTMLWhitespace { position += 1 }
                guard position < input.count else { return endOfInputInTag() }
                let quote = input[position]
                if quote == 0x22 || quote == 0x27 {
                    // §13.2.5.36/37 attribute value (double- or single-quoted).
                    position += 1
                    while position < input.count, input[position] != quote {
                        position = appendAttributeCharacter(at: position, to: &value)
                    }
                    guard position < input.count else { return endOfInputInTag() }
                    position += 1
                } else if quote != 0x3E {
                    // §13.2.5.38 attribute value (unquoted).
                    while position < input.count, !input[position].isHTMLWhitespace, input[position] != 0x3E {
                        position = appendAttributeCharacter(at: position, to: &value)
                    }
                    guard position < input.count else { return endOfInputInTag() }
                }
            }
            let nameString = String(decoding: attributeName, as: UTF8.self)
            // §13.2.5.33: a repeated attribute is dropped.
            if attributeNames.insert(nameString).inserted {
                attributes.append(HTMLAttribute(name: nameString, value: String(decoding: value, as: UTF8.self)))
            }
        }
        self.position = position
        let nameString = String(decoding: name, as: UTF8.self)
        return isEnd ? .endTag(name: nameString) : .startTag(name: nameString, attributes: attributes, selfClosing: selfClosing)
    }

    private mutating func endOfInputInTag() -> HTMLToken? {
        position = input.count
        return nil
    }

    /// One character of an attribute value: a character reference (§13.2.5.72, attribute rules), NUL as
    /// U+FFFD, anything else as is.
    private func appendAttributeCharacter(at position: Int, to value: inout [UInt8]) -> Int {
        switch input[position] {
        case 0x26: return CharacterReferences.consume(input, at: position, inAttribute: true, into: &value)
        case 0x00: value.append(contentsOf: replacementCharacterUTF8)
        default: value.append(input[position])
        }
        return position + 1
    }

    /// §13.2.5.42 markup declaration open, just after `<!`.
    private mutating func markupDeclaration(at start: Int) -> HTMLToken {
        if hasPrefix("--", at: start) { return comment(from: start + 2) }
        if hasPrefix("doctype", at: start, caseInsensitive: true) {
            // §13.2.5.53 onwards, reduced to "up to the next >".
            position = firstIndex(of: 0x3E, from: start).map { $0 + 1 } ?? input.count
            return .doctype
        }
        if hasPrefix("[CDATA[", at: start) {
            guard allowsCDATA else { return bogusComment(from: start) }
            // §13.2.5.69 CDATA section: text up to "]]>" (or the end).
            let contentStart = start + 7
            var end = contentStart
            while end < input.count, !hasPrefix("]]>", at: end) { end += 1 }
            position = min(end + 3, input.count)
            var text: [UInt8] = []
            for byte in input[contentStart..<end] {
                if byte == 0 { text.append(contentsOf: replacementCharacterUTF8) } else { text.append(byte) }
            }
            return .text(text)
        }
        return bogusComment(from: start)
    }

    /// §13.2.5.43–§13.2.5.52 comment states, just after `<!--`. The comment ends at the first `-->` or
    /// `--!>`; `<!-->` and `<!--->` are empty comments; without an end it runs to the end of the input.
    private mutating func comment(from start: Int) -> HTMLToken {
        if hasPrefix(">", at: start) {
            position = start + 1
            return .comment("")
        }
        if hasPrefix("->", at: start) {
            position = start + 2
            return .comment("")
        }
        var end = start
        while end < input.count {
            if input[end] == 0x2D, hasPrefix("-->", at: end) {
                position = end + 3
                return .comment(commentText(start..<end))
            }
            if input[end] == 0x2D, hasPrefix("--!>", at: end) {
                position = end + 4
                return .comment(commentText(start..<end))
            }
            end += 1
        }
        position = input.count
        return .comment(commentText(start..<end))
    }

    /// §13.2.5.41 bogus comment: up to the next `>`.
    private mutating func bogusComment(from start: Int) -> HTMLToken {
        let end = firstIndex(of: 0x3E, from: start) ?? input.count
        position = min(end + 1, input.count)
        return .comment(commentText(start..<end))
    }

    private func commentText(_ range: Range<Int>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        for byte in input[range] {
            if byte == 0 { bytes.append(contentsOf: replacementCharacterUTF8) } else { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            if input[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private func hasPrefix(_ prefix: StaticString, at start: Int, caseInsensitive: Bool = false) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard start + count <= input.count else { return false }
        return prefix.withUTF8Buffer { expected in
            for offset in 0..<count {
                let actual = input[start + offset]
                if caseInsensitive ? actual.asciiLowercased != expected[offset] : actual != expected[offset] {
                    return false
                }
            }
            return true
        }
    }
}
