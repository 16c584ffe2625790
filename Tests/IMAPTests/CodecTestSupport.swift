@testable import IMAP

/// Parses one frame given as text (literals inline with their CRLF) and returns the command kind.
func parseKind(_ text: String, tag expectedTag: String? = nil, utf8: Bool = false) throws -> IMAPCommandKind {
    let command = try IMAPCommandParser(utf8Accept: utf8).parse(Array(text.utf8))
    if let expectedTag, command.tag != expectedTag { throw IMAPParseError(tag: command.tag, reason: "wrong tag") }
    return command.kind
}

/// The parse error for a frame given as text, nil if it parses.
func parseError(_ text: String, utf8: Bool = false, maxDepth: Int = 32) -> IMAPParseError? {
    do {
        _ = try IMAPCommandParser(utf8Accept: utf8, maxDepth: maxDepth).parse(Array(text.utf8))
        return nil
    } catch {
        return error
    }
}

func mailbox(_ name: String) -> IMAPMailboxName { IMAPMailboxName(name) }

func set(_ ranges: ClosedRange<UInt32>...) -> IMAPSequenceSet { IMAPSequenceSet(ranges) }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
