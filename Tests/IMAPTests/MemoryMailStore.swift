import Core

@testable import IMAP

/// An in-memory mail store for session tests, with the index's semantics: per-mailbox UIDs and
/// UIDVALIDITY, one new modseq per change, expunge tombstones for CHANGEDSINCE/QRESYNC, `\Recent`
/// claims, flags normalised as the real store does, quota, subscriptions, and logins by password.
actor MemoryMailStore: IMAPMailboxStore {
    struct Message {
        var uid: UInt32
        var flags: [String]
        var modSeq: Int64
        var internalDate: Int64
        var data: [UInt8]
    }

    struct Box {
        var info: MailboxInfo
        var messages: [UInt32: Message] = [:]
        /// Expunged UIDs with the modseq of their removal.
        var expunged: [(uid: UInt32, modSeq: Int64)] = []
        var firstRecent: UInt32 = 1
    }

    private var boxes: [Int64: Box] = [:]
    private var subscribed: [Int64: Set<String>] = [:]
    private var quotas: [Int64: Int64] = [:]
    private var logins: [String: (account: IMAPAccount, password: String)] = [:]
    private var nextID: Int64 = 1
    private var nextValidity: UInt32 = 100
    /// Every effect performed, in order (tests check batching and what was asked).
    private(set) var performed: [IMAPEffect] = []
    /// Files that cannot be read (the content of these UIDs fails).
    private var unreadable: Set<UInt32> = []

    /// Adds an account with INBOX and the special-use mailboxes, as provisioning does.
    func addAccount(id: Int64, address: String, password: String, quotaBytes: Int64 = 0) throws {
        logins[address.lowercased()] = (IMAPAccount(id: id, address: address), password)
        quotas[id] = quotaBytes
        _ = try createMailbox(accountID: id, name: "INBOX", specialUse: nil, subscribe: true)
        for use in SpecialUse.allCases {
            _ = try createMailbox(accountID: id, name: use.defaultName, specialUse: use, subscribe: true)
        }
    }

    func login(user: String, password: String) -> IMAPLoginOutcome {
        guard let entry = logins[user.lowercased()], entry.password == password else { return .invalidCredentials }
        return .success(entry.account)
    }

    /// Runs an effect as the adapter would (logins against the password table).
    func run(_ effect: IMAPEffect) async -> IMAPEffectResult {
        performed.append(effect)
        if case .login(let user, let password, _) = effect { return .login(login(user: user, password: password)) }
        return await perform(effect)
    }

    func makeUnreadable(_ uid: UInt32) { unreadable.insert(uid) }

    /// The content reads so far (`header 3`, `full 3`), oldest first.
    private(set) var reads: [String] = []

    @discardableResult
    func deliver(_ text: String, to name: String = "INBOX", accountID: Int64 = 1, flags: [String] = []) throws -> AppendResult {
        try append(accountID: accountID, mailbox: name, messages: [AppendRequest(data: Array(text.utf8), flags: flags)])[0]
    }

    // MARK: IMAPMailboxStore

    func mailboxes(accountID: Int64) -> [MailboxInfo] {
        boxes.values.filter { $0.info.accountID == accountID }.map(info).sorted { $0.name < $1.name }
    }

    func mailbox(accountID: Int64, name: String) -> MailboxInfo? {
        boxID(accountID, name).flatMap { boxes[$0] }.map(info)
    }

    func states(accountID: Int64, name: String) -> (mailbox: MailboxInfo, index: MailboxIndex)? {
        boxID(accountID, name).flatMap { states(mailboxID: $0) }
    }

    func states(mailboxID: Int64) -> (mailbox: MailboxInfo, index: MailboxIndex)? {
        guard let box = boxes[mailboxID] else { return nil }
        return (info(box), MailboxIndex(messages: sorted(box).map(state), highestModSeq: box.info.highestModSeq))
    }

    func changes(mailboxID: Int64, since modSeq: Int64) -> MailboxChanges? {
        guard let box = boxes[mailboxID] else { return nil }
        return MailboxChanges(
            highestModSeq: box.info.highestModSeq, uidNext: box.info.uidNext,
            changed: sorted(box).filter { $0.modSeq > modSeq }.map(state),
            expunged: box.expunged.filter { $0.modSeq > modSeq }.map(\.uid).sorted())
    }

    func claimRecent(mailboxID: Int64, upTo uidNext: UInt32) -> UInt32 {
        guard let first = boxes[mailboxID]?.firstRecent, first < uidNext else { return uidNext }
        boxes[mailboxID]?.firstRecent = uidNext
        return first
    }

    func messages(mailboxID: Int64, uids: [UInt32]) -> [StoredMessage] {
        guard let box = boxes[mailboxID] else { return [] }
        return uids.compactMap { box.messages[$0] }.map {
            StoredMessage(
                mailboxID: mailboxID, uid: $0.uid, modSeq: $0.modSeq, size: Int64($0.data.count), internalDate: $0.internalDate,
                flags: $0.flags, path: "\(mailboxID)/\($0.uid)")
        }
    }

    func content(of message: StoredMessage, headerOnly: Bool) throws -> [UInt8] {
        reads.append("\(headerOnly ? "header" : "full") \(message.uid)")
        guard !unreadable.contains(message.uid), let data = boxes[message.mailboxID]?.messages[message.uid]?.data else {
            throw IMAPStoreFailure.unavailable
        }
        guard headerOnly, let end = Self.headerEnd(data) else { return data }
        return Array(data[..<end])
    }

    func deletedCountAndSize(mailboxID: Int64) -> (deleted: Int, size: Int64) {
        let messages = boxes[mailboxID]?.messages.values.map { $0 } ?? []
        return (messages.filter { $0.flags.contains("\\Deleted") }.count, messages.reduce(0) { $0 + Int64($1.data.count) })
    }

    func storeFlags(
        mailboxID: Int64, uids: [UInt32], operation: FlagOperation, flags: [String], unchangedSince: Int64?
    ) throws -> FlagStoreResult {
        let given = try Self.normalize(flags)
        guard var box = boxes[mailboxID] else { throw IMAPStoreFailure.noSuchMailbox }
        var result = FlagStoreResult(messages: [], changed: [], modified: [])
        var modSeq: Int64?
        for uid in Set(uids).sorted() {
            guard var message = box.messages[uid] else { continue }
            if let unchangedSince, message.modSeq > unchangedSince {
                result.modified.append(uid)
                continue
            }
            let next = try Self.normalize(operation.apply(given, to: message.flags))
            if Set(next.map { $0.lowercased() }) != Set(message.flags.map { $0.lowercased() }) {
                if modSeq == nil {
                    box.info.highestModSeq += 1
                    modSeq = box.info.highestModSeq
                }
                message.flags = next
                message.modSeq = modSeq!
                box.messages[uid] = message
                result.changed.insert(uid)
            }
            result.messages.append(state(message))
        }
        boxes[mailboxID] = box
        return result
    }

    func copy(mailboxID source: Int64, uids: [UInt32], to destination: String, move: Bool) throws -> CopyResult {
        guard let from = boxes[source], let target = boxID(from.info.accountID, destination) else {
            throw IMAPStoreFailure.noSuchMailbox
        }
        let copied = Set(uids).sorted().compactMap { from.messages[$0] }
        let validity = boxes[target]!.info.uidValidity
        var result = CopyResult(destinationID: target, uidValidity: validity, sourceUIDs: [], destinationUIDs: [])
        guard !copied.isEmpty else { return result }
        let added = add(copied.map { ($0.data, $0.flags, $0.internalDate) }, to: target)
        result.sourceUIDs = copied.map(\.uid)
        result.destinationUIDs = added
        if move { _ = remove(result.sourceUIDs, from: source) }
        return result
    }

    func expunge(mailboxID: Int64, uids: [UInt32], onlyDeleted: Bool) -> [UInt32] {
        guard let box = boxes[mailboxID] else { return [] }
        let doomed = uids.filter { box.messages[$0].map { !onlyDeleted || $0.flags.contains("\\Deleted") } ?? false }
        return remove(doomed, from: mailboxID)
    }

    func append(accountID: Int64, mailbox: String, messages: [AppendRequest]) throws -> [AppendResult] {
        guard let id = boxID(accountID, mailbox) else { throw IMAPStoreFailure.noSuchMailbox }
        let adding = messages.reduce(Int64(0)) { $0 + Int64($1.data.count) }
        if let quota = quotas[accountID], quota > 0, usedBytes(accountID) + adding > quota { throw IMAPStoreFailure.overQuota }
        let flags = try messages.map { try Self.normalize($0.flags) }
        let uids = add(zip(messages, flags).map { ($0.data, $1, $0.internalDate ?? 1_700_000_000) }, to: id)
        let box = boxes[id]!
        return uids.map {
            AppendResult(
                mailboxID: id, uidValidity: box.info.uidValidity, uid: $0, modSeq: box.info.highestModSeq,
                size: Int64(box.messages[$0]!.data.count))
        }
    }

    @discardableResult
    func createMailbox(accountID: Int64, name: String, specialUse: SpecialUse?, subscribe: Bool) throws -> MailboxInfo {
        guard boxID(accountID, name) == nil else { throw IMAPStoreFailure.mailboxExists }
        let info = MailboxInfo(
            id: nextID, accountID: accountID, name: name, uidValidity: nextValidity, uidNext: 1, highestModSeq: 1,
            specialUse: specialUse, subscribed: subscribe, messageCount: 0, unseenCount: 0)
        boxes[nextID] = Box(info: info)
        nextID += 1
        nextValidity += 1
        if subscribe { subscribed[accountID, default: []].insert(name) }
        return info
    }

    func createMailboxTree(accountID: Int64, name: String, specialUse: SpecialUse?, delimiter: Character) throws
        -> [MailboxInfo]
    {
        guard name != "INBOX" else { throw IMAPStoreFailure.invalidMailboxName }
        guard boxID(accountID, name) == nil else { throw IMAPStoreFailure.mailboxExists }
        let levels = name.split(separator: delimiter)
        var created: [MailboxInfo] = []
        for depth in 1..<max(1, levels.count) {
            let parent = levels[..<depth].joined(separator: String(delimiter))
            if parent != "INBOX", boxID(accountID, parent) == nil {
                created.append(try createMailbox(accountID: accountID, name: parent, specialUse: nil, subscribe: false))
            }
        }
        return created + [try createMailbox(accountID: accountID, name: name, specialUse: specialUse, subscribe: false)]
    }

    func deleteMailbox(accountID: Int64, name: String, refusingInferiors: Bool, delimiter: Character) throws -> Int64 {
        guard name != "INBOX" else { throw IMAPStoreFailure.invalidMailboxName }
        guard let id = boxID(accountID, name) else { throw IMAPStoreFailure.noSuchMailbox }
        let prefix = name + String(delimiter)
        let inferiors = boxes.values.contains { $0.info.accountID == accountID && $0.info.name.hasPrefix(prefix) }
        if refusingInferiors && inferiors {
            throw IMAPStoreFailure.hasChildren
        }
        boxes[id] = nil
        return id
    }

    func renameMailbox(accountID: Int64, from old: String, to new: String, delimiter: Character, creatingSuperiors: Bool) throws {
        guard let id = boxID(accountID, old) else { throw IMAPStoreFailure.noSuchMailbox }
        guard boxID(accountID, new) == nil else { throw IMAPStoreFailure.mailboxExists }
        let prefix = old + String(delimiter)
        boxes[id]?.info.name = new
        for (child, box) in boxes where box.info.accountID == accountID && box.info.name.hasPrefix(prefix) {
            boxes[child]?.info.name = new + String(delimiter) + box.info.name.dropFirst(prefix.count)
        }
        let levels = new.split(separator: delimiter)
        for depth in 1..<max(1, levels.count) where creatingSuperiors {
            let parent = levels[..<depth].joined(separator: String(delimiter))
            if parent != "INBOX", boxID(accountID, parent) == nil {
                try createMailbox(accountID: accountID, name: parent, specialUse: nil, subscribe: false)
            }
        }
    }

    /// All at once, as the store's one transaction: the new mailbox with its superiors, then the move.
    func renameInbox(accountID: Int64, to name: String, delimiter: Character) throws -> CopyResult {
        guard let inbox = boxID(accountID, "INBOX") else { throw IMAPStoreFailure.noSuchMailbox }
        _ = try createMailboxTree(accountID: accountID, name: name, specialUse: nil, delimiter: delimiter)
        return try copy(mailboxID: inbox, uids: Array(boxes[inbox]!.messages.keys), to: name, move: true)
    }

    func setSubscribed(accountID: Int64, name: String, _ on: Bool) {
        if on { subscribed[accountID, default: []].insert(name) } else { subscribed[accountID]?.remove(name) }
    }

    func subscriptions(accountID: Int64) -> [String] { (subscribed[accountID] ?? []).sorted() }

    func storageUsage(accountID: Int64) -> StorageUsage {
        let count = boxes.values.filter { $0.info.accountID == accountID }.reduce(0) { $0 + $1.messages.count }
        return StorageUsage(usedBytes: usedBytes(accountID), messageCount: Int64(count), quotaBytes: quotas[accountID] ?? 0)
    }

    nonisolated func failure(_ error: any Error) -> IMAPStoreFailure {
        error as? IMAPStoreFailure ?? .internalError
    }

    // MARK: Internals

    private func boxID(_ accountID: Int64, _ name: String) -> Int64? {
        boxes.first { $0.value.info.accountID == accountID && $0.value.info.name == name }?.key
    }

    private func info(_ box: Box) -> MailboxInfo {
        var info = box.info
        info.messageCount = box.messages.count
        info.unseenCount = box.messages.values.filter { !$0.flags.contains("\\Seen") }.count
        info.recentCount = box.messages.keys.filter { $0 >= box.firstRecent }.count
        info.subscribed = subscribed[info.accountID]?.contains(info.name) ?? false
        return info
    }

    private func sorted(_ box: Box) -> [Message] { box.messages.values.sorted { $0.uid < $1.uid } }

    private func state(_ message: Message) -> MessageState {
        MessageState(uid: message.uid, flags: message.flags, modSeq: message.modSeq)
    }

    private func usedBytes(_ accountID: Int64) -> Int64 {
        boxes.values.filter { $0.info.accountID == accountID }.flatMap(\.messages.values).reduce(0) { $0 + Int64($1.data.count) }
    }

    /// New messages with consecutive UIDs and one new modseq.
    private func add(_ messages: [(data: [UInt8], flags: [String], date: Int64)], to id: Int64) -> [UInt32] {
        guard var box = boxes[id] else { return [] }
        box.info.highestModSeq += 1
        var uids: [UInt32] = []
        for message in messages {
            let uid = box.info.uidNext
            box.info.uidNext += 1
            box.messages[uid] = Message(
                uid: uid, flags: message.flags, modSeq: box.info.highestModSeq, internalDate: message.date, data: message.data)
            uids.append(uid)
        }
        boxes[id] = box
        return uids
    }

    private func remove(_ uids: [UInt32], from id: Int64) -> [UInt32] {
        guard var box = boxes[id] else { return [] }
        let gone = uids.filter { box.messages[$0] != nil }.sorted()
        guard !gone.isEmpty else { return [] }
        box.info.highestModSeq += 1
        for uid in gone {
            box.messages[uid] = nil
            box.expunged.append((uid, box.info.highestModSeq))
        }
        boxes[id] = box
        return gone
    }

    /// As the real store: system flags canonical and first, `\Recent` dropped, no duplicates.
    private static func normalize(_ flags: [String]) throws -> [String] {
        let system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]
        var seen = Set<String>()
        var systemFlags: [String] = []
        var others: [String] = []
        for flag in flags {
            let lower = flag.lowercased()
            if let canonical = system.first(where: { $0.lowercased() == lower }) {
                if seen.insert(lower).inserted { systemFlags.append(canonical) }
            } else if lower != "\\recent" {
                guard !flag.hasPrefix("\\"), !flag.isEmpty else { throw IMAPStoreFailure.invalidFlag(flag) }
                if seen.insert(lower).inserted { others.append(flag) }
            }
        }
        return system.filter { systemFlags.contains($0) } + others
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index + 4 }
            index += 1
        }
        return nil
    }
}
