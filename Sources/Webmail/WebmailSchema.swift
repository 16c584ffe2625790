import Core

/// The webmail's tables: the message summaries the list pages sort and page in SQL, each user's
/// settings, and the senders whose remote content a user always loads.
public enum WebmailSchema {
    public static let migrations: [Migration] = [
        Migration("webmail.1-summaries-settings") { _ in
            [
                // One row per message row (a move makes a new message row, so a new summary), written
                // with the message (`SummaryCompanion`) and never changed after.
                """
                CREATE TABLE webmail_summary (
                  message_id BIGINT PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
                  mailbox_id BIGINT NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
                  sent_at BIGINT NOT NULL,
                  from_name TEXT NOT NULL,
                  from_address TEXT NOT NULL,
                  from_sort TEXT NOT NULL,
                  to_text TEXT NOT NULL,
                  subject TEXT NOT NULL,
                  subject_sort TEXT NOT NULL,
                  has_attachment BOOLEAN NOT NULL,
                  thread_key TEXT NOT NULL)
                """,
                "CREATE INDEX webmail_summary_sent ON webmail_summary(mailbox_id, sent_at)",
                "CREATE INDEX webmail_summary_thread ON webmail_summary(mailbox_id, thread_key)",
                """
                CREATE TABLE webmail_settings (
                  account_id BIGINT PRIMARY KEY REFERENCES account(id) ON DELETE CASCADE,
                  display_name TEXT NOT NULL DEFAULT '',
                  signature TEXT NOT NULL DEFAULT '',
                  reply_to TEXT NOT NULL DEFAULT '',
                  page_size BIGINT NOT NULL DEFAULT 50,
                  updated_at BIGINT NOT NULL)
                """,
                // The addresses a user wrote to, for completion in the compose form.
                """
                CREATE TABLE webmail_recipient (
                  account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  address TEXT NOT NULL,
                  name TEXT NOT NULL,
                  uses BIGINT NOT NULL,
                  used_at BIGINT NOT NULL,
                  PRIMARY KEY (account_id, address))
                """,
                """
                CREATE TABLE webmail_remote_sender (
                  account_id BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
                  sender TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (account_id, sender))
                """,
            ]
        },
        // The size is kept beside the summary so that every list order walks one index of this
        // table and stops after the page; the message id breaks ties in UID order.
        Migration("webmail.2-list-orders") { _ in
            [
                "ALTER TABLE webmail_summary ADD COLUMN size BIGINT NOT NULL DEFAULT 0",
                "UPDATE webmail_summary SET size = (SELECT m.size FROM message m WHERE m.id = webmail_summary.message_id)",
                "DROP INDEX webmail_summary_sent",
                "CREATE INDEX webmail_summary_sent ON webmail_summary(mailbox_id, sent_at, message_id)",
                // Newest first within a sender or subject; walked backwards for the descending order.
                "CREATE INDEX webmail_summary_from ON webmail_summary(mailbox_id, from_sort, sent_at DESC, message_id DESC)",
                "CREATE INDEX webmail_summary_subject ON webmail_summary(mailbox_id, subject_sort, sent_at DESC, message_id DESC)",
                "CREATE INDEX webmail_summary_size ON webmail_summary(mailbox_id, size, message_id)",
            ]
        },
    ]
}
