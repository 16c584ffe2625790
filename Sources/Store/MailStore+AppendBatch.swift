import Core
import SQLKit

extension MailStore {
    /// Appends several messages to one mailbox in one index transaction: all of them or none
    /// (IMAP MULTIAPPEND, RFC 3502 §6.3.11). Each file is written and synced first, as for a single
    /// append; other sessions see the messages only once all are committed. The quota counts
    /// them together.
    public func append(accountID: Int64, mailbox: String, messages: [AppendRequest]) async throws -> [AppendResult] {
        guard !messages.isEmpty else { return [] }
        let name = MaildirPath.canonicalMailboxName(mailbox)
        guard case .destination(let destination) = try await lookup(accountID: accountID, name: name, deliveryKey: nil) else {
            throw StoreError.noSuchMailbox(name)
        }
        let flags = try messages.map { try MessageFlags.normalize($0.flags) }
        let adding = messages.reduce(Int64(0)) { $0 + Int64($1.data.count) }
        if destination.quota > 0 && destination.used + adding > destination.quota {
            throw StoreError.overQuota(used: destination.used, quota: destination.quota, adding: adding)
        }
        let folderPath = folderPath(maildir: destination.maildir, folder: destination.folder)
        var files: [(file: String, size: Int64)] = []
        do {
            for (message, flags) in zip(messages, flags) {
                let info = MessageFlags.maildirInfo(flags)
                let (written, size) = try await FileIO.blocking { [writer] in
                    try writer.write(.bytes(message.data), folderPath: folderPath, info: info)
                }
                files.append((destination.folder.isEmpty ? written : destination.folder + "/" + written, size))
            }
        } catch {
            await removeFiles(files.map(\.file), destination)
            throw error
        }
        let now = UnixTime.now()
        let mailboxID = destination.mailboxID
        do {
            let results = try await database.transaction { [files, companions] db in
                var results: [AppendResult] = []
                for (index, (message, file)) in zip(messages, files).enumerated() {
                    let outcome = try await Self.index(
                        db, accountID: accountID, mailboxID: mailboxID, name: name, file: file.file, size: file.size,
                        flags: flags[index], internalDate: message.internalDate ?? now, deliveryKey: nil, enforceQuota: true,
                        companions: companions, header: companions.isEmpty ? [] : headerSection(message.data))
                    guard case .stored(let result) = outcome else {
                        throw StoreError.io("append without a delivery key matched one")
                    }
                    results.append(result)
                }
                return results
            }
            notifier.changed(mailboxID: mailboxID)
            return results
        } catch {
            // As for one append: the files go only when the index confirms the batch is not in it
            // (one transaction: the first file's row stands for all of them).
            let committed = try? await database.withConnection { [files] db in
                try await Self.stored(file: files[0].file, mailboxID: mailboxID, in: db) != nil
            }
            guard let committed else { throw error }  // unknown: leave the files to sweepOrphans
            if committed {
                notifier.changed(mailboxID: mailboxID)
                return try await database.withConnection { [files] db in
                    var results: [AppendResult] = []
                    for file in files {
                        guard let result = try await Self.stored(file: file.file, mailboxID: mailboxID, in: db) else {
                            throw error
                        }
                        results.append(result)
                    }
                    return results
                }
            }
            await removeFiles(files.map(\.file), destination)
            throw error
        }
    }

    private func removeFiles(_ files: [String], _ destination: Destination) async {
        for file in files { await Self.remove(absolute(maildir: destination.maildir, file: file)) }
    }
}
