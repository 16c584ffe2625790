import Core
import Logging
import MIME
import Queue

/// The list's robot: mail to `-request`, `-join`, `-leave` and `-confirm+COOKIE`, and the
/// notices it sends. The same steps serve the web pages (`ListPages`) and the CLI.
extension ListTransport {
    var notices: (MailingList) -> ListNotices {
        { ListNotices(list: $0, hostname: settings.hostname, webBase: settings.webBase) }
    }

    /// Carries out a message to one of the robot's addresses. Automatic mail (the null sender,
    /// `Auto-Submitted`, `Precedence: bulk/junk/list`) is never answered (RFC 3834 §2), so two
    /// robots cannot talk to each other for ever.
    func answer(_ message: MIMEMessage, role: ListAddressRole, reversePath: MailAddress?, list: MailingList, key: String)
        async throws
    {
        let facts = PostFacts(message: message, reversePath: reversePath, size: Int64(message.bytes.count), list: list)
        guard reversePath != nil, !Self.isAutomatic(message.header), let requester = facts.sender else {
            try await record(key, list: list, facts: facts, outcome: "ignored", reason: "automatic message", copies: 0)
            return
        }
        let body = PostFacts.firstText(message)
        let commands: [ListCommand]
        switch role {
        case .join: commands = [.subscribe]
        case .leave: commands = [.unsubscribe]
        case .confirm(let cookie?): commands = [.confirm(cookie: cookie)]
        default: commands = ListCommand.parse(subject: facts.subject, body: body)
        }
        // Recorded first: a retry after a crash finds the record and answers nothing twice.
        try await record(
            key, list: list, facts: facts, outcome: "request", reason: commands.map { "\($0)" }.joined(separator: ", "), copies: 0
        )
        var results: [String] = []
        for command in commands.prefix(ListCommand.limit) {
            results.append(try await carryOut(command, from: requester, list: list, intent: ReplyIntent.parse(body: body)))
        }
        // `-request` answers with what it did; the other addresses' own notices are the answer.
        if case .request = role {
            let text =
                commands.isEmpty
                ? "No command was found in your message.\n\n" + notices(list).help(requester.description)
                : results.joined(separator: "\n") + "\n"
            try await send(
                notices(list).plain(
                    to: requester.description, subject: "The results of your commands to \(list.address)", text: text),
                list: list, to: requester)
        }
    }

    /// One command from `requester`; the line that reports it.
    func carryOut(_ command: ListCommand, from requester: MailAddress, list: MailingList, intent: ReplyIntent) async throws
        -> String
    {
        switch command {
        case .help:
            return notices(list).help(requester.description)
        case .subscribe:
            let step = try await lists.requestSubscription(list.address, address: requester.description, source: .mail)
            return try await follow(step, list: list, address: requester.description)
        case .unsubscribe:
            let step = try await lists.requestUnsubscription(list.address, address: requester.description, source: .mail)
            return try await follow(step, list: list, address: requester.description)
        case .confirm(let cookie):
            let accept: Bool
            switch intent {
            case .approve: accept = true
            case .reject, .discard: accept = false
            }
            return try await confirm(cookie: cookie, accept: accept, decision: Self.decision(intent))
        }
    }

    /// Sends what a subscription step calls for; the line that reports it.
    public func follow(_ step: SubscriptionStep, list: MailingList, address: String) async throws -> String {
        switch step {
        case .subscribed(let member):
            try await send(
                notices(list).welcome(member.address, options: settings.optionsURL(token: member.token)), list: list,
                to: try MailingLists.parse(member.address))
            return "subscribe: \(member.address) is now a member"
        case .unsubscribed(let gone):
            try await send(notices(list).goodbye(gone), list: list, to: try MailingLists.parse(gone))
            return "unsubscribe: \(gone) has left"
        case .unchanged:
            return "\(address): nothing to change"
        case .confirm(let request):
            try await send(notices(list).confirmation(request), list: list, to: try MailingLists.parse(request.address))
            return "\(request.kind.rawValue): a confirmation was sent to \(request.address)"
        case .moderate(let request):
            try await notifyModerators(request, list: list, held: nil)
            return "\(request.kind.rawValue): waiting for a moderator"
        case .tooManyPending:
            return "\(address): requests are waiting already; confirm one of them"
        case .banned:
            return "\(address): may not join this list (write to the owners)"
        }
    }

    /// Uses a cookie, by mail or from the web page; `decision` applies to a held post.
    public func confirm(cookie: String, accept: Bool, decision: (ModeratorDecision, String) = (.approve, "")) async throws
        -> String
    {
        switch try await lists.confirm(cookie: cookie, accept: accept) {
        case .subscribed(let list, let address):
            return try await follow(
                .subscribed(try await lists.member(list.address, address: address)), list: list, address: address)
        case .unsubscribed(let list, let address):
            return try await follow(.unsubscribed(address: address), list: list, address: address)
        case .moderate(let list, let request):
            return try await follow(.moderate(request), list: list, address: request.address)
        case .declined(let list, let address):
            try await send(
                notices(list).plain(
                    to: address, subject: "Your request to \(list.address)",
                    text: "A moderator of \(list.address) declined the request for \(address).\n"),
                list: list, to: try MailingLists.parse(address))
            return "confirm: declined"
        case .held(let list, let heldID):
            do {
                try await decide(heldID, decision.0, reason: decision.1)
            } catch ListError.unknownHeld {
                return "confirm: the post was decided already"
            }
            return "confirm: the post to \(list.address) is \(decision.0 == .approve ? "approved" : decision.0.rawValue + "ed")"
        case .reenabled(let list, let address):
            logger.info("list member re-enabled", metadata: ["list": "\(list.address)", "member": "\(address)"])
            return "confirm: \(address) gets the posts of \(list.address) again"
        case .unchanged(_, let address):
            return "confirm: \(address): nothing to change"
        case .expired:
            return "confirm: that request has expired; ask again"
        case .unknown:
            return "confirm: no such request (used already, or never made)"
        }
    }

    /// Tells every owner and moderator that `request` waits for them.
    func notifyModerators(_ request: PendingRequest, list: MailingList, held: HeldNotice?) async throws {
        let owners = try await lists.members(list.address).filter { $0.role != .member }
        for owner in Set(owners.map(\.address)).sorted() {
            guard let address = try? MailAddress(parsing: owner) else { continue }
            try await send(notices(list).moderatorRequest(request, owner: owner, held: held), list: list, to: address)
        }
    }

    /// Queues a notice from the list (its bounces go to the plain `-bounces` address).
    func send(_ notice: [UInt8], list: MailingList, to recipient: MailAddress) async throws {
        _ = try await queue.queueGenerated(
            notice, reversePath: ListAddress.companion(list.postingAddress, ListAddress.bouncesSuffix), to: recipient,
            directory: directory, signer: signer, hostname: settings.hostname, logger: logger)
    }

    static func decision(_ intent: ReplyIntent) -> (ModeratorDecision, String) {
        switch intent {
        case .approve: (.approve, "")
        case .reject(let reason): (.reject, reason)
        case .discard: (.discard, "")
        }
    }

    /// RFC 3834 §2 and §5: messages no robot answers.
    static func isAutomatic(_ header: Header) -> Bool {
        if let auto = header.field("Auto-Submitted"), auto.value.trimmingCharacters(in: .whitespaces).lowercased() != "no" {
            return true
        }
        if let precedence = header.field("Precedence")?.value.trimmingCharacters(in: .whitespaces).lowercased(),
            ["bulk", "junk", "list"].contains(precedence)
        {
            return true
        }
        return header.field("List-Id") != nil
    }
}
