import Core
import MIME
import Testing

@testable import Lists

@Suite("Posting pipeline: Mailman's rules in Mailman's order")
struct PostingPipelineTests {
    static func list(_ change: (inout MailingList) -> Void = { _ in }) -> MailingList {
        var list = MailingList(
            id: 1, address: "dept@example.org", displayName: "Dept", description: "", style: .discussion,
            subjectPrefix: "[dept]", replyTo: .leave, replyToAddress: "", memberAction: .defer, nonmemberAction: .hold,
            emergency: false, maxSize: 1000, maxRecipients: 3, requireExplicitDestination: true, administrivia: true,
            dmarcMitigation: .munge, dmarcAlways: false, footer: "", bounceThreshold: 5, subscribePolicy: .confirm,
            unsubscribePolicy: .confirm, digestSizeThreshold: 0, digestPeriod: .none, digestVolume: 1, digestIssue: 1,
            digestLastSentAt: nil, archive: .private, memberSource: nil, bounceWarnings: 3, deliveryStyle: .personalised,
            holdDays: 30, createdAt: 0)
        change(&list)
        return list
    }

    static func facts(_ text: String, list: MailingList = list(), size: Int64? = nil) -> PostFacts {
        let bytes = Array(text.utf8)
        return PostFacts(
            message: MIMEMessage(bytes), reversePath: try? MailAddress(parsing: "alice@example.net"),
            size: size ?? Int64(bytes.count), list: list)
    }

    static let member = PosterStanding(
        member: ListMember(
            id: 1, listID: 1, address: "alice@example.net", displayName: "", role: .member, disabled: nil, moderation: nil,
            mode: .regular, source: "manual", bounceScore: 0, bounceWarnings: 0,
            createdAt: 0, token: "t"),
        isModerator: false)
    static let stranger = PosterStanding(member: nil, isModerator: false)
    static let post = "From: Alice <alice@example.net>\r\nTo: dept@example.org\r\nSubject: Hello\r\n\r\nHi all\r\n"

    @Test("a member's ordinary post is accepted; a stranger's is held")
    func membersAndStrangers() {
        let facts = Self.facts(Self.post)
        #expect(PostingPipeline.decide(facts, list: Self.list(), poster: Self.member).action == .accept)
        let held = PostingPipeline.decide(facts, list: Self.list(), poster: Self.stranger)
        #expect(held.action == .hold && held.rule == "nonmember")
        #expect(
            PostingPipeline.decide(facts, list: Self.list { $0.nonmemberAction = .reject }, poster: Self.stranger).action
                == .reject)
        #expect(PostingPipeline.decide(facts, list: Self.list { $0.style = .open }, poster: Self.stranger).action == .accept)
    }

    @Test("accept decides at once; defer leaves the post to the later steps (Mailman's five actions)")
    func acceptAndDefer() {
        let big = Self.facts(Self.post, size: 5000)  // over the fixture's max-size of 1000
        let deferred = PostingPipeline.decide(big, list: Self.list(), poster: Self.member)
        #expect(deferred.action == .hold && deferred.rule == "max-size")
        let accepted = PostingPipeline.decide(big, list: Self.list { $0.memberAction = .accept }, poster: Self.member)
        #expect(accepted.action == .accept && accepted.rule == "moderation")
        // A stranger: accept skips the later steps too; defer goes on to them.
        let list = Self.list { $0.nonmemberAction = .accept }
        #expect(PostingPipeline.decide(big, list: list, poster: Self.stranger).rule == "nonmember")
        let stranger = PostingPipeline.decide(big, list: Self.list { $0.nonmemberAction = .defer }, poster: Self.stranger)
        #expect(stranger.rule == "max-size")
        // A member's own defer overrides a list that holds members' posts.
        var member = Self.member
        member.member?.moderation = .defer
        #expect(
            PostingPipeline.decide(Self.facts(Self.post), list: Self.list { $0.memberAction = .hold }, poster: member).action
                == .accept)
        // On an announce list, neither lets a non-member through.
        let announce = Self.list {
            $0.style = .announce
            $0.nonmemberAction = .defer
        }
        #expect(PostingPipeline.decide(big, list: announce, poster: Self.stranger).action == .hold)
    }

    @Test("announce lists take posts from owners and moderators only")
    func announce() {
        let list = Self.list {
            $0.style = .announce
            $0.nonmemberAction = .accept
        }
        let facts = Self.facts(Self.post, list: list)
        #expect(PostingPipeline.decide(facts, list: list, poster: Self.member).action == .hold)
        #expect(PostingPipeline.decide(facts, list: list, poster: Self.stranger).action == .hold)
        #expect(
            PostingPipeline.decide(facts, list: list, poster: PosterStanding(member: nil, isModerator: true)).action == .accept)
    }

    @Test("a copy that comes back is discarded before anything else")
    func loops() {
        let looped = Self.facts("X-BeenThere: dept@example.org\r\n" + Self.post)
        #expect(PostingPipeline.decide(looped, list: Self.list { $0.emergency = true }, poster: Self.member).rule == "loop")
        let viaListID = Self.facts("List-Id: Dept <dept.example.org>\r\n" + Self.post)
        #expect(PostingPipeline.decide(viaListID, list: Self.list(), poster: Self.member).action == .discard)
        // Another list's fields are no loop.
        let other = Self.facts("List-Id: <other.example.org>\r\nX-BeenThere: other@example.org\r\n" + Self.post)
        #expect(PostingPipeline.decide(other, list: Self.list(), poster: Self.member).action == .accept)
    }

    @Test("emergency, a member's own moderation, commands, destination, recipients, size and subject hold a post")
    func holds() {
        let facts = Self.facts(Self.post)
        #expect(PostingPipeline.decide(facts, list: Self.list { $0.emergency = true }, poster: Self.member).rule == "emergency")
        var moderated = Self.member
        moderated.member?.moderation = .discard
        #expect(PostingPipeline.decide(facts, list: Self.list(), poster: moderated).action == .discard)
        let command = Self.facts("From: alice@example.net\r\nTo: dept@example.org\r\nSubject: unsubscribe\r\n\r\n\r\n")
        #expect(PostingPipeline.decide(command, list: Self.list(), poster: Self.member).rule == "administrivia")
        let bodyCommand = Self.facts(
            "From: alice@example.net\r\nTo: dept@example.org\r\nSubject: please\r\n\r\nunsubscribe me\r\n")
        #expect(PostingPipeline.decide(bodyCommand, list: Self.list(), poster: Self.member).rule == "administrivia")
        let bcc = Self.facts("From: alice@example.net\r\nTo: bob@example.net\r\nSubject: x\r\n\r\nhi\r\n")
        #expect(PostingPipeline.decide(bcc, list: Self.list(), poster: Self.member).rule == "implicit-destination")
        let many = Self.facts(
            "From: alice@example.net\r\nTo: dept@example.org, a@x.example, b@x.example\r\nCc: c@x.example\r\nSubject: x\r\n\r\nhi\r\n"
        )
        #expect(PostingPipeline.decide(many, list: Self.list(), poster: Self.member).rule == "max-recipients")
        #expect(
            PostingPipeline.decide(Self.facts(Self.post, size: 5000), list: Self.list(), poster: Self.member).rule == "max-size")
        let noSubject = Self.facts("From: alice@example.net\r\nTo: dept@example.org\r\n\r\nhi there, a long enough post\r\n")
        #expect(PostingPipeline.decide(noSubject, list: Self.list(), poster: Self.member).rule == "no-subject")
        // A long post that starts with a command word is a post.
        let long = Self.facts(
            "From: alice@example.net\r\nTo: dept@example.org\r\nSubject: Wanted: some help\r\n\r\nhelp\r\na\r\nb\r\nc\r\nd\r\ne\r\n"
        )
        #expect(PostingPipeline.decide(long, list: Self.list(), poster: Self.member).action == .accept)
    }

    @Test("a forged Approved: header approves nothing")
    func forgedApproval() {
        let facts = Self.facts("Approved: secret\r\n" + Self.post)
        #expect(PostingPipeline.decide(facts, list: Self.list(), poster: Self.stranger).action == .hold)
    }
}
