import Core

/// Who the poster is to the list.
public struct PosterStanding: Sendable, Hashable {
    /// A member (role member) with its own moderation setting, if any.
    public var member: ListMember?
    /// An owner or moderator of the list.
    public var isModerator: Bool

    public init(member: ListMember?, isModerator: Bool) {
        self.member = member
        self.isModerator = isModerator
    }
}

/// The pipeline's verdict on a post, with the rule that decided it.
public struct PostingDecision: Sendable, Hashable {
    public var action: ModerationAction
    /// Which step decided (`loop`, `banned`, `header-match`, `emergency`, `moderation`, `nonmember`, `administrivia`,
    /// `implicit-destination`, `max-recipients`, `max-size`, `no-subject`, `accepted`).
    public var rule: String
    /// Said to the moderator and, for a reject, to the sender.
    public var reason: String
}

/// The posting rules, in Mailman's order; each either decides or passes the post on. Pure:
/// the same facts always give the same decision.
public enum PostingPipeline {
    public static func decide(
        _ facts: PostFacts, list: MailingList, poster: PosterStanding, rules: ListRules = ListRules()
    ) -> PostingDecision {
        // A copy the list sent itself came back (a member forwards to the list, or two lists
        // are members of each other): never post it again.
        if facts.loopsBack {
            return PostingDecision(action: .discard, rule: "loop", reason: "the post has been through \(list.address) already")
        }
        // A banned author or envelope sender: dropped without a notice to anyone.
        if let ban = [facts.sender, facts.reversePath].compactMap({ $0 }).lazy.compactMap({ rules.ban(of: $0) }).first {
            return PostingDecision(action: .discard, rule: "banned", reason: "the sender is banned (\(ban.pattern))")
        }
        if let rule = rules.headerMatch(facts.fields) {
            return PostingDecision(
                action: rule.action, rule: "header-match",
                reason: "the \(rule.field) field matches the list's header rule \(rule.id)")
        }
        if list.emergency {
            return PostingDecision(action: .hold, rule: "emergency", reason: "the list holds every post (emergency moderation)")
        }
        // Owners and moderators post without further checks.
        if poster.isModerator {
            return PostingDecision(action: .accept, rule: "moderator", reason: "posted by an owner or moderator")
        }
        // Member and non-member moderation: `defer` leaves the post to the later checks.
        if let member = poster.member {
            let action = member.moderation ?? (list.style == .announce ? .hold : list.memberAction)
            if action != .defer {
                let why =
                    action == .accept
                    ? "the member's posts are accepted"
                    : list.style == .announce && member.moderation == nil
                        ? "only owners and moderators post to this list" : "the member's posts are moderated"
                return PostingDecision(action: action, rule: "moderation", reason: why)
            }
        } else if list.style != .open {
            let action = list.style == .announce ? max(list.nonmemberAction, .hold) : list.nonmemberAction
            if action != .defer {
                let who = facts.sender?.description ?? "the null sender"
                let why = action == .accept ? "\(who) may post" : "\(who) is not a member of \(list.address)"
                return PostingDecision(action: action, rule: "nonmember", reason: why)
            }
        }
        if list.administrivia && facts.looksLikeCommand {
            return PostingDecision(
                action: .hold, rule: "administrivia", reason: "the post looks like a list command (send those to the owners)")
        }
        if list.requireExplicitDestination && !facts.destinations.contains(list.postingAddress.key) {
            return PostingDecision(
                action: .hold, rule: "implicit-destination", reason: "the list is not named in To or Cc")
        }
        if list.maxRecipients > 0 && facts.destinations.count > list.maxRecipients {
            return PostingDecision(
                action: .hold, rule: "max-recipients",
                reason: "\(facts.destinations.count) addresses in To and Cc (at most \(list.maxRecipients))")
        }
        if list.maxSize > 0 && facts.size > list.maxSize {
            return PostingDecision(
                action: .hold, rule: "max-size", reason: "the post is \(facts.size) bytes (at most \(list.maxSize))")
        }
        if facts.subject.allSatisfy(\.isWhitespace) {
            return PostingDecision(action: .hold, rule: "no-subject", reason: "the post has no subject")
        }
        return PostingDecision(action: .accept, rule: "accepted", reason: "")
    }
}

extension ModerationAction: Comparable {
    /// accept < defer < hold < reject < discard: the stricter action wins where two apply.
    public static func < (lhs: ModerationAction, rhs: ModerationAction) -> Bool {
        let order: [ModerationAction] = [.accept, .defer, .hold, .reject, .discard]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}
