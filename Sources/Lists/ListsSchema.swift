import Core

/// The lists' tables. A list's address is a local-domain address no account or alias may take
/// (`ListAddressService`); its members are addresses, local or not, each with a role.
public enum ListsSchema {
    public static let migrations: [Migration] = [
        Migration("lists.1-lists-members-posts") { db in
            [
                """
                CREATE TABLE mailing_list (
                  id \(db.autoIncrementPrimaryKey),
                  domain_id BIGINT NOT NULL REFERENCES domain(id),
                  address_key TEXT NOT NULL UNIQUE,
                  address TEXT NOT NULL,
                  display_name TEXT NOT NULL,
                  description TEXT NOT NULL,
                  style TEXT NOT NULL,
                  subject_prefix TEXT NOT NULL,
                  reply_to TEXT NOT NULL,
                  reply_to_address TEXT NOT NULL,
                  member_action TEXT NOT NULL,
                  nonmember_action TEXT NOT NULL,
                  emergency BOOLEAN NOT NULL,
                  max_size BIGINT NOT NULL,
                  max_recipients BIGINT NOT NULL,
                  require_explicit_destination BOOLEAN NOT NULL,
                  administrivia BOOLEAN NOT NULL,
                  dmarc_mitigation TEXT NOT NULL,
                  dmarc_always BOOLEAN NOT NULL,
                  footer TEXT NOT NULL,
                  bounce_threshold BIGINT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                // One row per address and role: an owner who also receives the posts is a member too.
                // `token` names the member in its one-click unsubscribe URL (RFC 8058).
                """
                CREATE TABLE list_member (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  address_key TEXT NOT NULL,
                  address TEXT NOT NULL,
                  display_name TEXT NOT NULL,
                  role TEXT NOT NULL,
                  disabled TEXT,
                  moderation TEXT,
                  token TEXT NOT NULL UNIQUE,
                  bounce_score BIGINT NOT NULL DEFAULT 0,
                  last_bounce_at BIGINT,
                  created_at BIGINT NOT NULL,
                  UNIQUE (list_id, address_key, role))
                """,
                // One row per post the pipeline decided on, keyed by the queue delivery it came in as,
                // so a retried delivery (a crash after the copies were queued) posts nothing twice.
                """
                CREATE TABLE list_post (
                  delivery_key TEXT PRIMARY KEY,
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  sender TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  message_id TEXT NOT NULL,
                  outcome TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  copies BIGINT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX list_post_list ON list_post(list_id, created_at)",
                // Posts waiting for a moderator: the message file is kept under the data folder.
                """
                CREATE TABLE list_held (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  delivery_key TEXT NOT NULL UNIQUE,
                  sender TEXT NOT NULL,
                  reverse_path TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  file TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  held_at BIGINT NOT NULL)
                """,
                "CREATE INDEX list_held_list ON list_held(list_id, held_at)",
            ]
        },
        // Requests waiting for a reply (a confirmation by the address, a moderator's approval, a
        // held post's decision by mail), each named by a random cookie used once; and the
        // subscription policies that decide which requests wait.
        Migration("lists.2-pending-requests") { db in
            [
                "ALTER TABLE mailing_list ADD COLUMN subscribe_policy TEXT NOT NULL DEFAULT 'confirm'",
                "ALTER TABLE mailing_list ADD COLUMN unsubscribe_policy TEXT NOT NULL DEFAULT 'confirm'",
                """
                CREATE TABLE list_pending (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  cookie TEXT NOT NULL UNIQUE,
                  kind TEXT NOT NULL,
                  address_key TEXT NOT NULL,
                  address TEXT NOT NULL,
                  display_name TEXT NOT NULL,
                  held_id BIGINT,
                  created_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX list_pending_address ON list_pending(list_id, address_key)",
                "CREATE INDEX list_pending_held ON list_pending(held_id)",
                // Bounces come back to `dept-bounces+<token>`: found by the token in lower case.
                "CREATE INDEX list_member_token_lower ON list_member(lower(token))",
            ]
        },
        // Digests: each member's delivery mode, the list's digest settings and numbering, and
        // the posts collected for the next digest (the list's copy kept as a file).
        Migration("lists.3-digests") { db in
            [
                "ALTER TABLE list_member ADD COLUMN delivery_mode TEXT NOT NULL DEFAULT 'regular'",
                "ALTER TABLE mailing_list ADD COLUMN digest_size_threshold BIGINT NOT NULL DEFAULT 30720",
                "ALTER TABLE mailing_list ADD COLUMN digest_period TEXT NOT NULL DEFAULT 'daily'",
                "ALTER TABLE mailing_list ADD COLUMN digest_volume BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE mailing_list ADD COLUMN digest_issue BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE mailing_list ADD COLUMN digest_last_sent_at BIGINT",
                """
                CREATE TABLE list_digest_entry (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  delivery_key TEXT NOT NULL UNIQUE,
                  file TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  added_at BIGINT NOT NULL)
                """,
                "CREATE INDEX list_digest_entry_list ON list_digest_entry(list_id, id)",
            ]
        },
        // Archives: each accepted post's list copy as a message file, indexed here; `search_text`
        // holds the lower-cased subject, author and text the archive's search looks through.
        Migration("lists.4-archives") { db in
            [
                "ALTER TABLE mailing_list ADD COLUMN archive TEXT NOT NULL DEFAULT 'private'",
                """
                CREATE TABLE list_archive (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  archive_key TEXT NOT NULL UNIQUE,
                  delivery_key TEXT NOT NULL UNIQUE,
                  message_id TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  sender TEXT NOT NULL,
                  sender_name TEXT NOT NULL,
                  archived_at BIGINT NOT NULL,
                  size BIGINT NOT NULL,
                  file TEXT NOT NULL,
                  search_text TEXT NOT NULL)
                """,
                "CREATE INDEX list_archive_list ON list_archive(list_id, id)",
            ]
        },
        // Membership from the directory (`member_source`: `domain:D` or `alias:A`; the members it
        // adds are marked `directory`), and bounce warnings before a disabled member is removed.
        Migration("lists.5-directory-members-bounce-warnings") { db in
            [
                "ALTER TABLE mailing_list ADD COLUMN member_source TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE mailing_list ADD COLUMN bounce_warnings BIGINT NOT NULL DEFAULT 3",
                "ALTER TABLE list_member ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'",
                "ALTER TABLE list_member ADD COLUMN bounce_warnings BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE list_member ADD COLUMN last_warning_at BIGINT",
            ]
        },
        // Banned addresses and header match rules (pipeline steps 2 and 3), bulk delivery, how
        // long held posts are kept, and archive threads.
        Migration("lists.6-bans-header-rules-bulk-hold-days-threads") { db in
            [
                "ALTER TABLE mailing_list ADD COLUMN delivery_style TEXT NOT NULL DEFAULT 'personalised'",
                "ALTER TABLE mailing_list ADD COLUMN hold_days BIGINT NOT NULL DEFAULT 30",
                """
                CREATE TABLE list_ban (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  pattern TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  UNIQUE (list_id, pattern))
                """,
                """
                CREATE TABLE list_header_rule (
                  id \(db.autoIncrementPrimaryKey),
                  list_id BIGINT NOT NULL REFERENCES mailing_list(id) ON DELETE CASCADE,
                  field TEXT NOT NULL,
                  pattern TEXT NOT NULL,
                  action TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX list_header_rule_list ON list_header_rule(list_id, id)",
                // Archive threads (RFC 5322 §3.6.4 In-Reply-To/References): a post's parent in the
                // archive and the key of its thread's first post; posts archived before are each
                // a thread of their own.
                "ALTER TABLE list_archive ADD COLUMN parent_key TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE list_archive ADD COLUMN thread_key TEXT NOT NULL DEFAULT ''",
                "UPDATE list_archive SET thread_key = archive_key",
                "CREATE INDEX list_archive_thread ON list_archive(list_id, thread_key, id)",
                "CREATE INDEX list_archive_message_id ON list_archive(list_id, message_id)",
                // `accept` now skips the later checks (Mailman's accept); what it did before is `defer`.
                "UPDATE mailing_list SET member_action = 'defer' WHERE member_action = 'accept'",
                "UPDATE mailing_list SET nonmember_action = 'defer' WHERE nonmember_action = 'accept'",
                "UPDATE list_member SET moderation = 'defer' WHERE moderation = 'accept'",
            ]
        },
    ]
}
