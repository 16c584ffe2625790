import Core

/// The store's index tables. The index is authoritative: a message exists when its `message`
/// row does, and the row's file is written and synced before the row is committed.
///
/// - `store_account`: one row per provisioned account: its maildir (relative to the mail root),
///   the bytes and messages it holds (kept in the append transaction, for quota checks) and the
///   last UIDVALIDITY handed out (so values are unique for the account's lifetime). It has no
///   foreign key to `account` on purpose: it outlives a deleted account until `deprovision`
///   removes the files it names.
/// - `mailbox`: IMAP mailboxes; `folder` is the Maildir++ folder (`""` for INBOX, `.Sent`…),
///   stored so that IMAP names never round-trip through file names.
/// - `message`: one row per message; `file` is relative to the account's maildir;
///   `flags` is space-separated (system flags first, then keywords); `seen` and `deleted` repeat
///   `\Seen` and `\Deleted` of `flags` for indexed counts and EXPUNGE, written with it from one
///   `MessageFlags.Columns` by every statement that writes `flags`.
/// - `mailbox_subscription`: subscribed names (RFC 9051 §6.3.7), kept apart from `mailbox` because a
///   subscription outlives its mailbox (§6.3.9: never removed unilaterally). `mailbox.subscribed` is
///   superseded by it and no longer read.
/// - `mailbox.first_recent_uid`: messages from this UID on are `\\Recent` (RFC 3501 §2.3.2) and
///   not yet claimed by a session; the first read-write session to see them claims them.
/// - `maildrop_lock`: the POP3 maildrop lock of an account (RFC 1939 §4), held by one session on any
///   node until released or, if its node died, until `expires_at` (seconds since 1970) passes.
/// - `expunged_message`: the UIDs removed from a mailbox and the modseq of their removal, so
///   sessions (and QRESYNC clients, RFC 7162 §3.2.5) learn which messages vanished since a modseq.
/// - `deleted_message`: messages expunged (or in a deleted mailbox) and kept for undelete; `file`
///   stays where it was (relative to the maildir, inside `folder`), named by no `message` row, so
///   no mailbox shows it and the quota does not count it. A restore sets `restored_at` (the row
///   then names no file); no foreign keys, as the mailbox may be gone (`deprovision` removes rows).
public enum StoreSchema {
    public static let migrations: [Migration] = [
        Migration("store.1-accounts-mailboxes-messages") { db in
            [
                """
                CREATE TABLE store_account (
                  account_id BIGINT PRIMARY KEY,
                  maildir TEXT NOT NULL UNIQUE,
                  used_bytes BIGINT NOT NULL DEFAULT 0,
                  message_count BIGINT NOT NULL DEFAULT 0,
                  last_uidvalidity BIGINT NOT NULL DEFAULT 0,
                  created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE mailbox (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  folder TEXT NOT NULL,
                  uidvalidity BIGINT NOT NULL,
                  uidnext BIGINT NOT NULL DEFAULT 1,
                  highest_modseq BIGINT NOT NULL DEFAULT 1,
                  special_use TEXT,
                  subscribed BOOLEAN NOT NULL DEFAULT TRUE,
                  created_at BIGINT NOT NULL,
                  UNIQUE (account_id, name),
                  UNIQUE (account_id, folder))
                """,
                """
                CREATE TABLE message (
                  id \(db.autoIncrementPrimaryKey),
                  mailbox_id BIGINT NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                  uid BIGINT NOT NULL,
                  modseq BIGINT NOT NULL,
                  file TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  internal_date BIGINT NOT NULL,
                  flags TEXT NOT NULL DEFAULT '',
                  delivery_key TEXT UNIQUE,
                  created_at BIGINT NOT NULL,
                  UNIQUE (mailbox_id, uid))
                """,
                "CREATE INDEX message_mailbox_modseq ON message(mailbox_id, modseq)",
            ]
        },
        Migration("store.2-expunged-messages") { _ in
            [
                """
                CREATE TABLE expunged_message (
                  mailbox_id BIGINT NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                  uid BIGINT NOT NULL,
                  modseq BIGINT NOT NULL,
                  PRIMARY KEY (mailbox_id, uid))
                """,
                "CREATE INDEX expunged_message_modseq ON expunged_message(mailbox_id, modseq)",
            ]
        },
        Migration("store.3-subscriptions") { _ in
            [
                """
                CREATE TABLE mailbox_subscription (
                  account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  PRIMARY KEY (account_id, name))
                """,
                "INSERT INTO mailbox_subscription (account_id, name) SELECT account_id, name FROM mailbox WHERE subscribed",
            ]
        },
        Migration("store.4-recent") { _ in
            ["ALTER TABLE mailbox ADD COLUMN first_recent_uid BIGINT NOT NULL DEFAULT 1"]
        },
        Migration("store.5-maildrop-lock") { _ in
            [
                """
                CREATE TABLE maildrop_lock (
                  account_id BIGINT PRIMARY KEY,
                  token TEXT NOT NULL,
                  node_id TEXT NOT NULL,
                  expires_at BIGINT NOT NULL)
                """
            ]
        },
        // "Has \Seen" (unseen counts of STATUS/SELECT) and "has \Deleted" (EXPUNGE, STATUS DELETED)
        // become index lookups instead of a scan of `flags` with LIKE. Filled from the words of
        // `flags`, compared case-insensitively; `replace` and `lower` work on both engines.
        Migration("store.6-seen-deleted-columns") { _ in
            [
                "ALTER TABLE message ADD COLUMN seen BOOLEAN NOT NULL DEFAULT FALSE",
                "ALTER TABLE message ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE",
                Self.fill("seen", from: "\\Seen"),
                Self.fill("deleted", from: "\\Deleted"),
                "CREATE INDEX message_unseen ON message(mailbox_id) WHERE NOT seen",
                "CREATE INDEX message_deleted ON message(mailbox_id, uid) WHERE deleted",
            ]
        },
        // Undelete: expunged messages and the messages of deleted mailboxes, kept for
        // `[store] undelete_retention` (`MailStore+Undelete.swift`).
        Migration("store.7-undelete") { db in
            [
                """
                CREATE TABLE deleted_message (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL,
                  mailbox_id BIGINT NOT NULL,
                  mailbox_name TEXT NOT NULL,
                  folder TEXT NOT NULL,
                  file TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  internal_date BIGINT NOT NULL,
                  flags TEXT NOT NULL,
                  deleted_at BIGINT NOT NULL,
                  folder_deleted BOOLEAN NOT NULL DEFAULT FALSE,
                  restored_at BIGINT,
                  restored_mailbox_id BIGINT)
                """,
                "CREATE INDEX deleted_message_account ON deleted_message(account_id, deleted_at)",
                "CREATE INDEX deleted_message_deleted_at ON deleted_message(deleted_at)",
                "CREATE INDEX deleted_message_restored_at ON deleted_message(restored_at)",
            ]
        },
        // The POP3 UIDL a message had on the server it was imported from (RFC 1939 §7: a client's
        // list must not change); NULL means Posta's own `<uidvalidity>.<uid>`.
        Migration("store.8-pop3-uidl") { _ in
            ["ALTER TABLE message ADD COLUMN pop3_uidl TEXT"]
        },
    ]

    /// Sets the boolean `column` of the rows whose `flags` hold `flag` as a whole word, in any case.
    static func fill(_ column: String, from flag: String) -> String {
        let words = "lower(' ' || flags || ' ')"
        return "UPDATE message SET \(column) = TRUE WHERE replace(\(words), ' \(flag.lowercased()) ', ' ') <> \(words)"
    }
}
