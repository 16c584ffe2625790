/// The commands and tests of RFC 5228 and its extensions, by name.
enum SieveCommandRegistry {
    typealias Sig = SieveSignature
    private static let string = Sig.Positional(type: .string)
    private static let stringList = Sig.Positional(type: .stringList)

    static let commands: [String: Sig] = Dictionary(
        uniqueKeysWithValues: [
            // RFC 5228 §3: control commands (require is handled by the validator).
            Sig(name: "require", isTest: false, positional: [stringList]),
            Sig(name: "if", isTest: false, tests: .one, block: true),
            Sig(name: "elsif", isTest: false, tests: .one, block: true),
            Sig(name: "else", isTest: false, block: true),
            Sig(name: "stop", isTest: false),
            // RFC 5228 §4, RFC 3894 (:copy), RFC 5232 §5 (:flags), RFC 5490 §3.2 (:create).
            Sig(name: "keep", isTest: false, tags: ["flags": .init(argument: .stringList, requires: "imap4flags")]),
            Sig(name: "discard", isTest: false),
            Sig(name: "redirect", isTest: false, tags: ["copy": .init(requires: "copy")], positional: [string]),
            Sig(
                name: "fileinto", isTest: false, requires: ["fileinto"],
                tags: [
                    "copy": .init(requires: "copy"), "flags": .init(argument: .stringList, requires: "imap4flags"),
                    "create": .init(requires: "mailbox"),
                ], positional: [string]),
            // RFC 5429.
            Sig(name: "reject", isTest: false, requires: ["reject"], positional: [string]),
            Sig(name: "ereject", isTest: false, requires: ["ereject"], positional: [string]),
            // RFC 5230 §4, RFC 6131 §2.
            Sig(
                name: "vacation", isTest: false, requires: ["vacation"],
                tags: [
                    "days": .init(argument: .number, group: "period"),
                    "seconds": .init(argument: .number, requires: "vacation-seconds", group: "period"),
                    "subject": .init(argument: .string), "from": .init(argument: .string),
                    "addresses": .init(argument: .stringList), "mime": .init(), "handle": .init(argument: .string),
                ], positional: [string]),
            // RFC 5232 §3.
            Sig(
                name: "setflag", isTest: false, requires: ["imap4flags"],
                positional: [.init(type: .string, optional: true), stringList]),
            Sig(
                name: "addflag", isTest: false, requires: ["imap4flags"],
                positional: [.init(type: .string, optional: true), stringList]),
            Sig(
                name: "removeflag", isTest: false, requires: ["imap4flags"],
                positional: [.init(type: .string, optional: true), stringList]),
            // RFC 5229 §4.
            Sig(
                name: "set", isTest: false, requires: ["variables"],
                tags: [
                    "lower": .init(group: "case"), "upper": .init(group: "case"), "lowerfirst": .init(group: "first"),
                    "upperfirst": .init(group: "first"), "quotewildcard": .init(), "length": .init(),
                ], positional: [string, string]),
            // RFC 6609 §3.2-3.4.
            Sig(
                name: "include", isTest: false, requires: ["include"],
                tags: [
                    "personal": .init(group: "location"), "global": .init(group: "location"), "once": .init(),
                    "optional": .init(),
                ], positional: [string]),
            Sig(name: "return", isTest: false, requires: ["include"]),
            Sig(name: "global", isTest: false, requires: ["include"], positional: [stringList]),
            // RFC 5293 §4-5.
            Sig(
                name: "addheader", isTest: false, requires: ["editheader"], tags: ["last": .init()],
                positional: [string, string]),
            Sig(
                name: "deleteheader", isTest: false, requires: ["editheader"],
                positional: [string, .init(type: .stringList, optional: true)], matchType: true, comparator: true,
                index: true),
        ].map { ($0.name, $0) })

    static let tests: [String: Sig] = Dictionary(
        uniqueKeysWithValues: [
            // RFC 5228 §5.
            Sig(
                name: "address", isTest: true, positional: [stringList, stringList], matchType: true, comparator: true,
                addressPart: true, index: true),
            Sig(name: "allof", isTest: true, tests: .list),
            Sig(name: "anyof", isTest: true, tests: .list),
            Sig(
                name: "envelope", isTest: true, requires: ["envelope"], positional: [stringList, stringList],
                matchType: true, comparator: true, addressPart: true),
            Sig(name: "exists", isTest: true, positional: [stringList]),
            Sig(name: "false", isTest: true),
            Sig(
                name: "header", isTest: true, positional: [stringList, stringList], matchType: true, comparator: true,
                index: true),
            Sig(name: "not", isTest: true, tests: .one),
            Sig(
                name: "size", isTest: true,
                tags: ["over": .init(group: "size"), "under": .init(group: "size")], positional: [.init(type: .number)]),
            Sig(name: "true", isTest: true),
            // RFC 5173 §4.
            Sig(
                name: "body", isTest: true, requires: ["body"],
                tags: [
                    "raw": .init(group: "transform"), "content": .init(argument: .stringList, group: "transform"),
                    "text": .init(group: "transform"),
                ], positional: [stringList], matchType: true, comparator: true),
            // RFC 5260 §4-5.
            Sig(
                name: "date", isTest: true, requires: ["date"],
                tags: ["zone": .init(argument: .string, group: "zone"), "originalzone": .init(group: "zone")],
                positional: [string, string, stringList], matchType: true, comparator: true, index: true),
            Sig(
                name: "currentdate", isTest: true, requires: ["date"], tags: ["zone": .init(argument: .string)],
                positional: [string, stringList], matchType: true, comparator: true),
            // RFC 5229 §5.
            Sig(
                name: "string", isTest: true, requires: ["variables"], positional: [stringList, stringList],
                matchType: true, comparator: true),
            // RFC 5232 §4.
            Sig(
                name: "hasflag", isTest: true, requires: ["imap4flags"],
                positional: [.init(type: .stringList, optional: true), stringList], matchType: true, comparator: true),
            // RFC 5490 §3.1.
            Sig(name: "mailboxexists", isTest: true, requires: ["mailbox"], positional: [stringList]),
            // RFC 7352 §3.
            Sig(
                name: "duplicate", isTest: true, requires: ["duplicate"],
                tags: [
                    "handle": .init(argument: .string), "header": .init(argument: .string, group: "id"),
                    "uniqueid": .init(argument: .string, group: "id"), "seconds": .init(argument: .number),
                    "last": .init(),
                ]),
            // RFC 3685 §3, RFC 5235 §3.
            Sig(
                name: "spamtest", isTest: true, requires: ["spamtest"],
                tags: ["percent": .init(requires: "spamtestplus")], positional: [string], matchType: true, comparator: true),
            Sig(
                name: "virustest", isTest: true, requires: ["virustest"], positional: [string], matchType: true, comparator: true),
        ].map { ($0.name, $0) })
}
