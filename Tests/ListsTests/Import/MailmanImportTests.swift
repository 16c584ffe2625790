import Testing

@testable import Lists

@Suite("Import from Mailman 3 and 2.1: the mapping table")
struct MailmanImportTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("Mailman 3: every mapped setting, and a warning for each one that is not")
    func mailman3Settings() throws {
        let export = try Mailman3Export.parse(
            config: bytes(Mailman3Samples.config),
            rosters: [.json(bytes(Mailman3Samples.members), role: .member), .json(bytes(Mailman3Samples.owners), role: .owner)],
            address: "news@example.org")
        let s = export.settings
        #expect(s.displayName == "Dept News" && s.description == "News of the department")
        #expect(s.subjectPrefix == "[dept]")
        #expect(s.style == .announce && s.memberAction == .hold && s.nonmemberAction == .reject)
        #expect(s.replyTo == .explicit && s.replyToAddress == "talk@example.org")
        #expect(s.dmarcMitigation == .wrap && s.dmarcAlways)
        #expect(s.maxSize == 100 * 1024 && s.maxRecipients == 5)
        #expect(!s.requireExplicitDestination && !s.administrivia && s.emergency)
        #expect(s.subscribePolicy == .confirmThenModerate && s.unsubscribePolicy == .open)
        #expect(s.digestSizeThreshold == 12_800 && s.digestPeriod == DigestPeriod.none)
        #expect(s.archive == ArchivePolicy.none && s.bounceThreshold == 7 && s.bounceWarnings == 2)
        let w = export.warnings
        #expect(w.contains("imported as news@example.org (Mailman's list is dept@example.org)"))
        #expect(w.contains { $0.hasPrefix("subject_prefix = '[dept %d] ': the post number") })
        #expect(w.contains("not imported: digest_volume_frequency = \"weekly\" (Posta starts a new volume each month)"))
        #expect(w.contains("not imported: advertised = false"))
        #expect(w.contains(#"not imported: accept_these_nonmembers = ["^.*@partner\.example$"]"#))
        #expect(s.deliveryStyle == .bulk && s.holdDays == 0)
        #expect(!w.contains { $0.contains("personalize") || $0.contains("max_days_to_hold") })
        #expect(w.contains("not imported: nm@n.example in role nonmember (Posta has owners, moderators and members)"))
        // Names and counters of the list itself are no settings.
        #expect(!w.contains { $0.contains("posting_address") || $0.contains("http_etag") || $0.contains("created_at") })
        // Mapped settings are not also reported.
        #expect(!w.contains { $0.hasPrefix("not imported: emergency") || $0.hasPrefix("not imported: display_name") })
    }

    @Test("Mailman 3: members keep delivery mode, disabled delivery and moderation")
    func mailman3Members() throws {
        let export = try Mailman3Export.parse(
            config: bytes("{}"),
            rosters: [.json(bytes(Mailman3Samples.members), role: .member), .json(bytes(Mailman3Samples.owners), role: .owner)])
        #expect(
            export.members == [
                ImportedListMember(address: "ann@a.example", displayName: "Ann A", mode: .mimeDigest, disabled: .user),
                ImportedListMember(address: "bob@b.example", mode: .plainDigest, moderation: .hold),
                ImportedListMember(address: "cy@c.example", displayName: "Cy", disabled: .bounces),
                ImportedListMember(address: "own@example.org", displayName: "Own Er", role: .owner),
            ])
    }

    @Test(
        "Mailman 3 values, one by one",
        arguments: [
            (#"{"reply_goes_to_list": "no_munging"}"#, "reply-to", "leave"),
            (#"{"reply_goes_to_list": "point_to_list"}"#, "reply-to", "list"),
            (#"{"dmarc_mitigate_action": "no_mitigation"}"#, "dmarc-mitigation", "none"),
            (#"{"dmarc_mitigate_action": "munge_from"}"#, "dmarc-mitigation", "munge"),
            (#"{"dmarc_mitigate_action": "reject"}"#, "dmarc-mitigation", "munge"),
            (#"{"dmarc_mitigate_action": "discard"}"#, "dmarc-mitigation", "munge"),
            (#"{"default_member_action": "defer"}"#, "style", "discussion"),
            (#"{"allow_list_posts": false}"#, "style", "announce"),
            (#"{"default_member_action": "hold"}"#, "style", "announce"),
            (#"{"default_nonmember_action": "accept"}"#, "nonmember-action", "accept"),
            (#"{"allow_list_posts": false, "default_nonmember_action": "accept"}"#, "nonmember-action", "hold"),
            (#"{"subscription_policy": "open"}"#, "subscribe-policy", "open"),
            (#"{"subscription_policy": "moderate"}"#, "subscribe-policy", "moderate"),
            (#"{"unsubscription_policy": "confirm"}"#, "unsubscribe-policy", "confirm"),
            (#"{"archive_policy": "private"}"#, "archive", "private"),
            (#"{"archive_policy": "public"}"#, "archive", "public"),
            (#"{"digest_send_periodic": true}"#, "digest-period", "daily"),
        ] as [(String, String, String)])
    func mailman3Values(json: String, setting: String, expected: String) throws {
        let export = try Mailman3Export.parse(config: bytes(json), rosters: [])
        #expect(export.settings.lines.first { $0.name == setting }?.value == expected)
    }

    @Test("Mailman 3: reject and discard DMARC actions, explicit reply-to without an address, a footer URI are warned about")
    func mailman3Warnings() throws {
        let export = try Mailman3Export.parse(
            config: bytes(
                #"{"dmarc_mitigate_action": "reject", "reply_goes_to_list": "explicit_header", "reply_to_address": "", "#
                    + #""footer_uri": "mailman:///$listname/$language/footer.txt", "posting_pipeline": "virgin"}"#),
            rosters: [])
        #expect(export.settings.replyTo == .leave)
        #expect(export.warnings.contains { $0.hasPrefix("dmarc_mitigate_action = reject: imported as dmarc-mitigation munge") })
        #expect(export.warnings.contains { $0.hasPrefix("not imported: reply_goes_to_list = explicit_header") })
        #expect(export.warnings.contains { $0.hasPrefix("not imported: footer_uri = ") && $0.contains("not fetched") })
        #expect(export.warnings.contains("not imported: posting_pipeline = \"virgin\" (Posta has one posting pipeline)"))
    }

    @Test("mailman members output: names, quoted names, encoded words, digest and no-mail marks")
    func memberText() throws {
        var marks = MailmanRosterMarks()
        marks.digest = ["bob@b.example"]
        marks.nomail = ["cat@c.example", "gone@x.example"]
        let text = """
            Ann A <ann@a.example>
            bob@b.example
            "Cat, the \\"Great\\"" <cat@c.example>
            =?utf-8?q?Zo=C3=AB?= <zoe@z.example>

            """
        let export = try Mailman3Export.parse(
            config: bytes("{}"), rosters: [.text(bytes(text), role: .member), .text(bytes("own@example.org\n"), role: .owner)],
            marks: marks)
        #expect(
            export.members == [
                ImportedListMember(address: "ann@a.example", displayName: "Ann A"),
                ImportedListMember(address: "bob@b.example", mode: .mimeDigest),
                ImportedListMember(address: "cat@c.example", displayName: "Cat, the \"Great\"", disabled: .user),
                ImportedListMember(address: "zoe@z.example", displayName: "Zoë"),
                ImportedListMember(address: "own@example.org", role: .owner),
            ])
        #expect(
            export.warnings == ["not imported: gone@x.example is in a digest, no-mail or moderated roster but is not a member"])
        let bad = #expect(throws: MailmanImportError.self) {
            try MailmanMemberText.parse(bytes("ann@a.example\nnot an address\n"))
        }
        #expect(bad?.description == "line 2: not an address: not an address")
    }

    @Test("Mailman 3: hostile JSON is refused with a clear error")
    func mailman3Hostile() throws {
        for text in ["", "[1, 2", "\"just a string\"", String(repeating: "[", count: 100_000)] {
            #expect(throws: MailmanImportError.self) { try Mailman3Export.parse(config: bytes(text), rosters: []) }
        }
        #expect(throws: MailmanImportError.self) {
            try Mailman3Export.parse(
                config: bytes("{}"), rosters: [.json(bytes(#"{"entries": [{"email": "nope"}]}"#), role: .member)])
        }
        #expect(throws: MailmanImportError.self) {
            try Mailman3Export.parse(config: [UInt8](repeating: 0x20, count: (4 << 20) + 1), rosters: [])
        }
        // An empty REST collection has no entries at all.
        let empty = try Mailman3Export.parse(
            config: bytes("{}"), rosters: [.json(bytes(#"{"start": 0, "total_size": 0, "http_etag": "x"}"#), role: .owner)])
        #expect(empty.members.isEmpty)
    }

    static let mailman21Config = """
        # -*- python -*-
        # -*- coding: iso-8859-1 -*-
        ## "dept" mailing list configuration settings
        ## captured on Sat Dec  5 10:00:00 2026

        ## General options
        #
        # The list's name, as shown.
        real_name = 'Dept'

        owner = ['head@example.org', 'deputy@example.org']

        moderator = ['mod@example.org']

        description = 'Caf\\xe9 talk'

        info = 'Longer text about the list.'

        subject_prefix = '[Dept %05d] '

        reply_goes_to_list = 2

        reply_to_address = 'talk@example.org'

        first_strip_reply_to = False

        max_message_size = 200

        host_name = 'lists.example.org'

        emergency = 0

        administrivia = True

        ## Privacy options
        subscribe_policy = 3

        unsubscribe_policy = 1

        generic_nonmember_action = 2

        default_member_moderation = 0

        member_moderation_action = 1

        require_explicit_destination = 0

        max_num_recipients = 0

        accept_these_nonmembers = ['^.*@partner\\\\.example$']

        dmarc_moderation_action = 2

        from_is_list = 0

        ## Digest options
        digestable = True

        digest_size_threshhold = 40

        digest_send_periodic = True

        digest_volume_frequency = 1

        mime_is_default_digest = False

        ## Non-digest options
        msg_footer = \"\"\"_______________________________________________
        %(real_name)s mailing list
        %(real_name)s@%(host_name)s
        %(web_page_url)slistinfo%(cgiext)s/%(_internal_name)s\"\"\"

        ## Archive options
        archive = True

        archive_private = 0

        ## Bounce options
        bounce_score_threshold = 3.0

        bounce_you_are_disabled_warnings = 4

        """

    static let mailman21Members = """
        Ann A <ann@a.example>
        bob@b.example
        Cat <cat@c.example>

        """

    @Test("Mailman 2.1: every mapped setting, members with their marks, and warnings for the rest")
    func mailman21() throws {
        var marks = MailmanRosterMarks()
        marks.digest = ["bob@b.example"]
        marks.nomail = ["cat@c.example"]
        marks.moderated = ["ann@a.example"]
        let export = try Mailman21Dump.parse(
            config: bytes(Self.mailman21Config), members: bytes(Self.mailman21Members), rosters: marks)
        let s = export.settings
        #expect(s.displayName == "Dept" && s.description == "Café talk")
        #expect(s.subjectPrefix == "[Dept]")
        #expect(s.replyTo == .explicit && s.replyToAddress == "talk@example.org")
        #expect(s.maxSize == 200 * 1024 && s.maxRecipients == 0 && !s.requireExplicitDestination)
        #expect(!s.emergency && s.administrivia)
        #expect(s.subscribePolicy == .confirmThenModerate && s.unsubscribePolicy == .confirmThenModerate)
        #expect(s.style == .discussion && s.nonmemberAction == .reject && s.memberAction == .defer)
        #expect(s.dmarcMitigation == .wrap && !s.dmarcAlways)
        #expect(s.digestSizeThreshold == 40 * 1024 && s.digestPeriod == .daily)
        #expect(s.archive == .public && s.bounceThreshold == 3 && s.bounceWarnings == 4)
        #expect(
            s.footer
                == "_______________________________________________\nDept mailing list\nDept@lists.example.org\n%(web_page_url)slistinfo%(cgiext)s/dept"
        )
        #expect(
            export.members == [
                ImportedListMember(address: "ann@a.example", displayName: "Ann A", moderation: .reject),
                ImportedListMember(address: "bob@b.example", mode: .plainDigest),
                ImportedListMember(address: "cat@c.example", displayName: "Cat", disabled: .user),
                ImportedListMember(address: "head@example.org", role: .owner),
                ImportedListMember(address: "deputy@example.org", role: .owner),
                ImportedListMember(address: "mod@example.org", role: .moderator),
            ])
        let w = export.warnings
        #expect(w.contains { $0.hasPrefix("subject_prefix = '[Dept %05d] ': the post number (%d) is dropped") })
        #expect(w.contains { $0.hasPrefix("msg_footer: substitutions Posta does not make") })
        #expect(w.contains("not imported: info = 'Longer text about the list.'"))
        #expect(w.contains("not imported: first_strip_reply_to = False"))
        #expect(w.contains("not imported: accept_these_nonmembers = ['^.*@partner\\\\.example$']"))
        #expect(!w.contains { $0.contains("real_name") || $0.contains("host_name") || $0.contains("owner =") }, "\(w)")
    }

    @Test(
        "Mailman 2.1 values, one by one",
        arguments: [
            ("reply_goes_to_list = 0", "reply-to", "leave"),
            ("reply_goes_to_list = 1", "reply-to", "list"),
            ("generic_nonmember_action = 0", "nonmember-action", "defer"),
            ("generic_nonmember_action = 1", "nonmember-action", "hold"),
            ("generic_nonmember_action = 3", "nonmember-action", "discard"),
            ("subscribe_policy = 0", "subscribe-policy", "open"),
            ("subscribe_policy = 1", "subscribe-policy", "confirm"),
            ("subscribe_policy = 2", "subscribe-policy", "moderate"),
            ("unsubscribe_policy = 0", "unsubscribe-policy", "confirm"),
            ("archive = False", "archive", "none"),
            ("archive = True\narchive_private = 1", "archive", "private"),
            ("default_member_moderation = 1", "style", "announce"),
            ("default_member_moderation = 1\nmember_moderation_action = 2", "member-action", "discard"),
            ("dmarc_moderation_action = 0", "dmarc-mitigation", "none"),
            ("dmarc_moderation_action = 1", "dmarc-mitigation", "munge"),
            ("dmarc_moderation_action = 3", "dmarc-mitigation", "munge"),
            ("from_is_list = 2\ndmarc_moderation_action = 1", "dmarc-mitigation", "wrap"),
            ("digest_send_periodic = 0", "digest-period", "none"),
        ] as [(String, String, String)])
    func mailman21Values(config: String, setting: String, expected: String) throws {
        let export = try Mailman21Dump.parse(config: bytes(config + "\n"), members: [])
        #expect(export.settings.lines.first { $0.name == setting }?.value == expected)
    }

    @Test("Mailman 2.1: from_is_list mitigates every post; a %d prefix loses its number")
    func mailman21Details() throws {
        let always = try Mailman21Dump.parse(config: bytes("from_is_list = 1\n"), members: [])
        #expect(always.settings.dmarcMitigation == .munge && always.settings.dmarcAlways)
        var notes: [String] = []
        #expect(Mailman21Dump.Mapper.withoutSequence("[dept %d] ", notes: &notes) == "[dept] ")
        #expect(Mailman21Dump.Mapper.withoutSequence("(%05d) [x] ", notes: &notes) == "() [x] ")
        #expect(Mailman21Dump.Mapper.withoutSequence("[100%] ", notes: &notes) == "[100%] ")
        #expect(notes.count == 2)
        let reject = try Mailman21Dump.parse(config: bytes("dmarc_moderation_action = 4\n"), members: [])
        #expect(reject.warnings.contains { $0.contains("(discard): imported as dmarc-mitigation munge") })
    }
}
